import { useEffect, useState } from 'preact/hooks';
import { get, Problem, sendCommand, type CommandStatus } from '../api.ts';
import { t } from '../i18n.ts';
import { AddressEditor, ContactEditor, fullWeek, HoursEditor, type FieldErrors } from '../parts/editors.tsx';
import { errorsByField, Field, TextArea } from '../parts/field.tsx';
import { ErrorBox, Loading } from '../parts/load.tsx';
import { OutcomeView } from '../parts/outcome.tsx';
import type { Application, ContentType, ListingDetails, Specific } from '../types.ts';
import { AGE_RATINGS, CONTENT_TYPES, WEEKDAYS } from '../types.ts';

const BLANK_SPECIFIC: Record<ContentType, Specific> = {
  RESTAURANT: { type: 'RESTAURANT', cuisine: '', seatCapacity: 0 },
  PERFORMANCE: { type: 'PERFORMANCE', venue: '', startDate: '', endDate: '', runtimeMinutes: 0, ageRating: 'ALL' },
  EXHIBITION: { type: 'EXHIBITION', venue: '', startDate: '', endDate: '', ticketPriceKrw: 0 },
};

const blank = (contentType: ContentType): ListingDetails => ({
  type: 'LISTING', name: '', description: '', contact: { phone: '', email: '' }, address: { postalCode: '', road: '', detail: null },
  businessHours: WEEKDAYS.map((day) => ({ day, hours: { opensAt: '10:00', closesAt: '20:00', overnight: false } })), specific: BLANK_SPECIFIC[contentType],
});

function SpecificEditor({ specific, onChange, errors }: { specific: Specific; onChange: (s: Specific) => void; errors: FieldErrors }) {
  const text = (key: string, label: string, type: 'text' | 'number' | 'date' = 'text') => (
    <Field id={`specific.${key}`} label={label} type={type} required value={String((specific as unknown as Record<string, unknown>)[key] ?? '')} error={errors[`specific.${key}`]}
      onInput={(e) => onChange({ ...specific, [key]: type === 'number' ? Number(e.currentTarget.value) : e.currentTarget.value } as Specific)} />
  );
  switch (specific.type) {
    case 'RESTAURANT': return <fieldset><legend>{t('RESTAURANT')}</legend>{text('cuisine', t('cuisine'))}{text('seatCapacity', t('seatCapacity'), 'number')}</fieldset>;
    case 'PERFORMANCE': return (
      <fieldset><legend>{t('PERFORMANCE')}</legend>{text('venue', t('venue'))}{text('startDate', t('startDate'), 'date')}{text('endDate', t('endDate'), 'date')}
        {text('runtimeMinutes', t('runtimeMinutes'), 'number')}
        <div class="field"><label for="specific.ageRating">{t('ageRating')}</label>
          <select id="specific.ageRating" value={specific.ageRating} onChange={(e) => onChange({ ...specific, ageRating: AGE_RATINGS.find((r) => r === e.currentTarget.value) ?? specific.ageRating })}>
            {AGE_RATINGS.map((r) => <option key={r} value={r}>{r}</option>)}
          </select></div>
      </fieldset>);
    case 'EXHIBITION': return (
      <fieldset><legend>{t('EXHIBITION')}</legend>{text('venue', t('venue'))}{text('startDate', t('startDate'), 'date')}{text('endDate', t('endDate'), 'date')}
        {text('ticketPriceKrw', t('ticketPriceKrw'), 'number')}</fieldset>);
  }
}

/** The application to start from: the one being amended, or a rejected one applied for again. */
const startingPoint = (amendId: string | undefined) => amendId ?? new URLSearchParams(location.hash.split('?')[1] ?? '').get('from') ?? undefined;

/** Apply for a restaurant, performance or exhibition, or amend a PENDING application; the server's field errors show by their fields. */
export function ApplyPage({ amendId }: { amendId: string | undefined }) {
  const [contentType, setContentType] = useState<ContentType>('RESTAURANT');
  const [details, setDetails] = useState<ListingDetails>(blank('RESTAURANT'));
  const [ready, setReady] = useState(startingPoint(amendId) === undefined);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<CommandStatus | null>(null);
  useEffect(() => {
    const from = startingPoint(amendId);
    if (from === undefined) return;
    get<Application>(`/applications/${from}`).then((a) => {
      if (a.details.type === 'LISTING') { setContentType(a.contentType); setDetails({ ...a.details, businessHours: fullWeek(a.details.businessHours) }); }
      setReady(true);
    }, setProblem);
  }, [amendId]);
  if (!ready) return problem ? <ErrorBox problem={problem} /> : <Loading />;
  if (outcome) return <section><OutcomeView status={outcome} /><p><a href="#/mine">{t('navMine')}</a></p></section>;

  const choose = (next: ContentType) => { setContentType(next); setDetails({ ...details, specific: BLANK_SPECIFIC[next] }); setErrors({}); };
  const submit = (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    const send = amendId
      ? sendCommand(`/applications/${amendId}/amend`, { details })
      : sendCommand('/applications', { kind: 'NEW_LISTING', contentType, details });
    send.then((status) => { setErrors({}); setOutcome(status); }, (error: Problem) => { setProblem(error); setErrors(errorsByField(error.errors)); })
      .finally(() => setBusy(false));
  };
  const count = Object.keys(errors).length;
  return (
    <section>
      <h2>{amendId ? t('amendTitle') : t('applyTitle')}</h2>
      <form id="apply-form" onSubmit={submit} noValidate={false}>
        {!amendId && (
          <fieldset class="choice"><legend>{t('contentTypeChoice')}</legend>
            {CONTENT_TYPES.map((type) => (
              <label key={type}><input type="radio" name="contentType" value={type} checked={contentType === type} onChange={() => choose(type)} /> {t(type)}</label>
            ))}
          </fieldset>
        )}
        {problem && (count > 0 ? <p class="state error" role="alert">{t('fixFields', { count })}</p> : <ErrorBox problem={problem} />)}
        <fieldset><legend>{t('details')}</legend>
          <Field id="name" label={t('name')} required maxLength={100} value={details.name} error={errors.name} onInput={(e) => setDetails({ ...details, name: e.currentTarget.value })} />
          <TextArea id="description" label={t('description')} maxLength={2000} rows={3} value={details.description} error={errors.description} onInput={(e) => setDetails({ ...details, description: e.currentTarget.value })} />
        </fieldset>
        <SpecificEditor specific={details.specific} errors={errors} onChange={(specific) => setDetails({ ...details, specific })} />
        <ContactEditor contact={details.contact} errors={errors} onChange={(contact) => setDetails({ ...details, contact })} />
        <AddressEditor address={details.address} errors={errors} onChange={(address) => setDetails({ ...details, address })} />
        <HoursEditor hours={details.businessHours} errors={errors} onChange={(businessHours) => setDetails({ ...details, businessHours })} />
        <button type="submit" id="submit" disabled={busy}>{busy ? t('sending') : amendId ? t('saveAmend') : t('submit')}</button>
      </form>
    </section>
  );
}
