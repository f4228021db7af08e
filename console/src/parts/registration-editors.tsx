import { useState } from 'preact/hooks';
import { hasValidCheckDigit, registrationDigits } from '../../../src/processors/decider/business-registration.ts';
import { t } from '../i18n.ts';
import type { MessageKey } from '../messages.ts';
import type { BusinessRegistration, OpeningHours, TicketWindow } from '../types.ts';
import type { FieldErrors } from './editors.tsx';
import { Field, TextArea } from './field.tsx';

/**
 * Editors of schema v2's registration data: each may be left out (null), as on the wire, and the
 * server's message for a field shows beside it.
 */

const value = (e: Event) => (e.currentTarget as HTMLInputElement).value;

/** A choice among the domain's symbols, labelled in the console's language; '' is "not given" when allowed. */
export function SymbolSelect<T extends string>({ id, label, symbols, value: chosen, onChange, error, optional = true }: {
  id: string; label: string; symbols: readonly T[]; value: T | null; onChange: (value: T | null) => void; error?: string | undefined; optional?: boolean;
}) {
  return (
    <div class={`field${error ? ' invalid' : ''}`}><label for={id}>{label}</label>
      <select id={id} value={chosen ?? ''} aria-invalid={error ? 'true' : undefined} onChange={(e) => onChange(e.currentTarget.value === '' ? null : e.currentTarget.value as T)}>
        {optional && <option value="">{t('notGiven')}</option>}
        {symbols.map((symbol) => <option key={symbol} value={symbol}>{t(symbol as MessageKey)}</option>)}
      </select>
      {error && <span class="field-error" id={`${id}-error`}>{error}</span>}
    </div>
  );
}

/** Names one per line; blank lines are dropped. The first broken name's message shows. */
export function NamesEditor({ id, label, names, onChange, errors }: { id: string; label: string; names: string[]; onChange: (names: string[]) => void; errors: FieldErrors }) {
  // The text as typed, so that a new (still empty) line stays while the list leaves it out.
  const [text, setText] = useState(names.join('\n'));
  const error = errors[id] ?? Object.entries(errors).find(([path]) => path.startsWith(`${id}[`))?.[1];
  return <TextArea id={id} label={label} rows={3} value={text} error={error}
    onInput={(e) => {
      setText(e.currentTarget.value);
      onChange(e.currentTarget.value.split('\n').map((name) => name.trim()).filter((name) => name !== ''));
    }} />;
}

/** Both ends, or neither (null). */
export function TicketWindowEditor({ id, window, onChange, errors }: { id: string; window: TicketWindow | null; onChange: (w: TicketWindow | null) => void; errors: FieldErrors }) {
  const current = window ?? { opensAt: '', closesAt: '' };
  const set = (next: TicketWindow) => onChange(next.opensAt === '' && next.closesAt === '' ? null : next);
  return (
    <fieldset><legend>{t('ticketWindow')}</legend>
      <Field id={`${id}.opensAt`} label={t('ticketOpensAt')} type="datetime-local" value={current.opensAt} error={errors[`${id}.opensAt`]} onInput={(e) => set({ ...current, opensAt: value(e) })} />
      <Field id={`${id}.closesAt`} label={t('ticketClosesAt')} type="datetime-local" value={current.closesAt} error={errors[`${id}.closesAt`]} onInput={(e) => set({ ...current, closesAt: value(e) })} />
    </fieldset>
  );
}

export function DailyHoursEditor({ id, hours, onChange, errors }: { id: string; hours: OpeningHours | null; onChange: (h: OpeningHours | null) => void; errors: FieldErrors }) {
  const current = hours ?? { opensAt: '', closesAt: '', overnight: false };
  const set = (next: OpeningHours) => onChange(next.opensAt === '' && next.closesAt === '' ? null : next);
  return (
    <fieldset><legend>{t('dailyHours')}</legend>
      <label>{t('opensAt')} <input type="time" id={`${id}.opensAt`} value={current.opensAt} onInput={(e) => set({ ...current, opensAt: value(e) })} /></label>
      <label>{t('closesAt')} <input type="time" id={`${id}.closesAt`} value={current.closesAt} onInput={(e) => set({ ...current, closesAt: value(e) })} /></label>
      {(errors[`${id}.opensAt`] ?? errors[`${id}.closesAt`]) && <span class="field-error" role="alert">{errors[`${id}.opensAt`] ?? errors[`${id}.closesAt`]}</span>}
    </fieldset>
  );
}

/**
 * What the form itself refuses in a registration, by the decider's own rule (the National Tax
 * Service check digit), so the applicant hears it before anything is sent.
 */
export function registrationProblems(registration: BusinessRegistration | null): FieldErrors {
  if (registration === null) return {};
  const digits = registrationDigits(registration.number);
  const problems: FieldErrors = {};
  if (digits === null) problems['businessRegistration.number'] = t('registrationNumberShape');
  else if (!hasValidCheckDigit(digits)) problems['businessRegistration.number'] = t('registrationNumberInvalid');
  if (registration.representativeName.trim() === '') problems['businessRegistration.representativeName'] = t('representativeRequired');
  return problems;
}

/** Both fields empty: no registration given (null). */
export function BusinessRegistrationEditor({ registration, onChange, errors }: { registration: BusinessRegistration | null; onChange: (r: BusinessRegistration | null) => void; errors: FieldErrors }) {
  const current = registration ?? { number: '', representativeName: '' };
  const set = (next: BusinessRegistration) => onChange(next.number === '' && next.representativeName === '' ? null : next);
  return (
    <fieldset><legend>{t('businessRegistration')}</legend>
      <Field id="businessRegistration.number" label={t('registrationNumber')} inputMode="numeric" placeholder="123-45-67890" maxLength={12}
        value={current.number} error={errors['businessRegistration.number']} onInput={(e) => set({ ...current, number: value(e) })} />
      <Field id="businessRegistration.representativeName" label={t('representativeName')} maxLength={50}
        value={current.representativeName} error={errors['businessRegistration.representativeName']} onInput={(e) => set({ ...current, representativeName: value(e) })} />
    </fieldset>
  );
}
