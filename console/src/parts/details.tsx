import { t } from '../i18n.ts';
import type { MessageKey } from '../messages.ts';
import type { Address, Contact, DayHours, ListingDetails, Specific } from '../types.ts';
import { WEEKDAYS } from '../types.ts';

export const ContactView = ({ contact }: { contact: Contact }) => (
  <dl class="pairs"><dt>{t('phone')}</dt><dd>{contact.phone}</dd><dt>{t('email')}</dt><dd>{contact.email}</dd></dl>
);

export const AddressView = ({ address }: { address: Address }) => (
  <dl class="pairs">
    <dt>{t('postalCode')}</dt><dd>{address.postalCode}</dd>
    <dt>{t('road')}</dt><dd>{address.road}</dd>
    <dt>{t('addressDetail')}</dt><dd>{address.detail ?? '—'}</dd>
  </dl>
);

const hoursText = (day: DayHours | undefined) => {
  if (day === undefined || day.hours === null) return t('closed');
  return `${day.hours.opensAt}–${day.hours.closesAt}${day.hours.overnight ? ` (${t('overnight')})` : ''}`;
};

/** Hours per weekday, Monday first; a weekday the list leaves out is closed. */
export function HoursView({ hours, caption }: { hours: DayHours[]; caption?: string }) {
  return (
    <table class="hours">
      {caption && <caption>{caption}</caption>}
      <tbody>
        {WEEKDAYS.map((day) => <tr key={day}><th scope="row">{t(day)}</th><td data-day={day}>{hoursText(hours.find((h) => h.day === day))}</td></tr>)}
      </tbody>
    </table>
  );
}

const SPECIFIC_FIELDS: Record<Specific['type'], MessageKey[]> = {
  RESTAURANT: ['cuisine', 'seatCapacity'],
  PERFORMANCE: ['venue', 'startDate', 'endDate', 'runtimeMinutes', 'ageRating'],
  EXHIBITION: ['venue', 'startDate', 'endDate', 'ticketPriceKrw'],
};

export function SpecificView({ specific }: { specific: Specific }) {
  const values = specific as unknown as Record<string, string | number>;
  return <dl class="pairs">{SPECIFIC_FIELDS[specific.type].map((key) => <><dt>{t(key)}</dt><dd>{String(values[key])}</dd></>)}</dl>;
}

export function ListingDetailsView({ details }: { details: Omit<ListingDetails, 'type'> }) {
  return (
    <div class="details">
      <section><h3>{t('details')}</h3><dl class="pairs"><dt>{t('name')}</dt><dd>{details.name}</dd><dt>{t('description')}</dt><dd class="multiline">{details.description || '—'}</dd></dl>
        <SpecificView specific={details.specific} /></section>
      <section><h3>{t('contact')}</h3><ContactView contact={details.contact} /></section>
      <section><h3>{t('address')}</h3><AddressView address={details.address} /></section>
      <section><h3>{t('businessHours')}</h3><HoursView hours={details.businessHours} /></section>
    </div>
  );
}
