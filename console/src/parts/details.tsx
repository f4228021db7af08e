import { t } from '../i18n.ts';
import type { MessageKey } from '../messages.ts';
import type { Address, BusinessRegistration, Contact, DayHours, ListingDetails, Specific } from '../types.ts';
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
  RESTAURANT: ['cuisine', 'seatCapacity', 'restaurantType', 'ageRating'],
  PERFORMANCE: ['venue', 'startDate', 'endDate', 'runtimeMinutes', 'ageRating', 'performanceType', 'cast', 'ticketWindow'],
  EXHIBITION: ['venue', 'startDate', 'endDate', 'ticketPriceKrw', 'region', 'artists', 'dailyHours', 'ticketWindow', 'ageRating'],
};

/** Symbols (types, ratings, regions) are message keys: shown in the console's language. */
const SYMBOLS = new Set(['restaurantType', 'ageRating', 'performanceType', 'region']);

/** One value of the registration data as people read it; — when it was not given. */
export function shownValue(key: string, value: unknown): string {
  if (value === null || value === undefined || (Array.isArray(value) && value.length === 0)) return '—';
  if (Array.isArray(value)) return value.join(', ');
  if (SYMBOLS.has(key)) return t(value as MessageKey);
  if (typeof value === 'object' && 'opensAt' in value && 'closesAt' in value) return `${String(value.opensAt).replace('T', ' ')} – ${String(value.closesAt).replace('T', ' ')}`;
  return String(value);
}

export function SpecificView({ specific }: { specific: Specific }) {
  const values = specific as unknown as Record<string, unknown>;
  return <dl class="pairs">{SPECIFIC_FIELDS[specific.type].map((key) => <><dt>{t(key)}</dt><dd data-field={key}>{shownValue(key, values[key])}</dd></>)}</dl>;
}

/** 2208162517 as it is written on the certificate: 220-81-62517. */
export const registrationNumberText = (digits: string) => `${digits.slice(0, 3)}-${digits.slice(3, 5)}-${digits.slice(5)}`;

export function BusinessRegistrationView({ registration }: { registration: BusinessRegistration | null }) {
  return (
    <dl class="pairs" id="business-registration">
      <dt>{t('registrationNumber')}</dt><dd id="registration-number">{registration ? registrationNumberText(registration.number) : '—'}</dd>
      <dt>{t('representativeName')}</dt><dd id="representative-name">{registration?.representativeName ?? '—'}</dd>
    </dl>
  );
}

export function ListingDetailsView({ details }: { details: Omit<ListingDetails, 'type'> }) {
  return (
    <div class="details">
      <section><h3>{t('details')}</h3><dl class="pairs"><dt>{t('name')}</dt><dd>{details.name}</dd><dt>{t('description')}</dt><dd class="multiline">{details.description || '—'}</dd></dl>
        <SpecificView specific={details.specific} /></section>
      <section><h3>{t('businessRegistration')}</h3><BusinessRegistrationView registration={details.businessRegistration} /></section>
      <section><h3>{t('contact')}</h3><ContactView contact={details.contact} /></section>
      <section><h3>{t('address')}</h3><AddressView address={details.address} /></section>
      <section><h3>{t('businessHours')}</h3><HoursView hours={details.businessHours} /></section>
    </div>
  );
}
