import { t } from '../i18n.ts';
import type { Address, Contact, DayHours } from '../types.ts';
import { WEEKDAYS } from '../types.ts';
import { Field } from './field.tsx';

/** Errors keyed by field path without `details.` (contact.phone, businessHours[2].hours.closesAt). */
export type FieldErrors = Record<string, string>;

const value = (e: Event) => (e.currentTarget as HTMLInputElement).value;

export function ContactEditor({ contact, onChange, errors, prefix = 'contact' }: { contact: Contact; onChange: (c: Contact) => void; errors: FieldErrors; prefix?: string }) {
  return (
    <fieldset><legend>{t('contact')}</legend>
      <Field id={`${prefix}.phone`} label={t('phone')} type="tel" required value={contact.phone} error={errors[`${prefix}.phone`]} onInput={(e) => onChange({ ...contact, phone: value(e) })} />
      <Field id={`${prefix}.email`} label={t('email')} type="email" required value={contact.email} error={errors[`${prefix}.email`]} onInput={(e) => onChange({ ...contact, email: value(e) })} />
    </fieldset>
  );
}

export function AddressEditor({ address, onChange, errors, prefix = 'address' }: { address: Address; onChange: (a: Address) => void; errors: FieldErrors; prefix?: string }) {
  return (
    <fieldset><legend>{t('address')}</legend>
      <Field id={`${prefix}.postalCode`} label={t('postalCode')} required inputMode="numeric" value={address.postalCode} error={errors[`${prefix}.postalCode`]} onInput={(e) => onChange({ ...address, postalCode: value(e) })} />
      <Field id={`${prefix}.road`} label={t('road')} required value={address.road} error={errors[`${prefix}.road`]} onInput={(e) => onChange({ ...address, road: value(e) })} />
      <Field id={`${prefix}.detail`} label={t('addressDetail')} value={address.detail ?? ''} error={errors[`${prefix}.detail`]} onInput={(e) => onChange({ ...address, detail: value(e) === '' ? null : value(e) })} />
    </fieldset>
  );
}

/** Every weekday in order, so an error's index (businessHours[2]) is the row it names. */
export const fullWeek = (hours: DayHours[]): DayHours[] => WEEKDAYS.map((day) => hours.find((h) => h.day === day) ?? { day, hours: null });

export function HoursEditor({ hours, onChange, errors }: { hours: DayHours[]; onChange: (h: DayHours[]) => void; errors: FieldErrors }) {
  const week = fullWeek(hours);
  const set = (index: number, next: DayHours) => onChange(week.map((day, i) => (i === index ? next : day)));
  return (
    <fieldset class="hours-editor"><legend>{t('businessHours')}</legend>
      {week.map((entry, i) => {
        const path = `businessHours[${i}]`;
        const open = entry.hours ?? { opensAt: '09:00', closesAt: '18:00', overnight: false };
        const error = errors[`${path}.hours.opensAt`] ?? errors[`${path}.hours.closesAt`] ?? errors[`${path}.day`];
        return (
          <div class={`day${error ? ' invalid' : ''}`} key={entry.day} data-day={entry.day}>
            <span class="day-name" id={`${path}-name`}>{t(entry.day)}</span>
            <label><input type="checkbox" id={`${path}.closed`} checked={entry.hours === null}
              onChange={(e) => set(i, { day: entry.day, hours: e.currentTarget.checked ? null : open })} /> {t('closed')}</label>
            {entry.hours !== null && <>
              <label>{t('opensAt')} <input type="time" id={`${path}.hours.opensAt`} value={open.opensAt} required onInput={(e) => set(i, { day: entry.day, hours: { ...open, opensAt: value(e) } })} /></label>
              <label>{t('closesAt')} <input type="time" id={`${path}.hours.closesAt`} value={open.closesAt} required onInput={(e) => set(i, { day: entry.day, hours: { ...open, closesAt: value(e) } })} /></label>
              <label><input type="checkbox" id={`${path}.hours.overnight`} checked={open.overnight} onChange={(e) => set(i, { day: entry.day, hours: { ...open, overnight: e.currentTarget.checked } })} /> {t('overnight')}</label>
            </>}
            {error && <span class="field-error" role="alert">{error}</span>}
          </div>
        );
      })}
    </fieldset>
  );
}
