import { useEffect, useState } from 'preact/hooks';
import { get, Problem, sendCommand, type CommandStatus } from '../api.ts';
import { t } from '../i18n.ts';
import { AddressEditor, ContactEditor, fullWeek, HoursEditor, type FieldErrors } from '../parts/editors.tsx';
import { errorsByField, Field, TextArea } from '../parts/field.tsx';
import { ErrorBox, Loading } from '../parts/load.tsx';
import { OutcomeView } from '../parts/outcome.tsx';
import {
  BusinessRegistrationEditor, DailyHoursEditor, NamesEditor, registrationProblems, SymbolSelect, TicketWindowEditor,
} from '../parts/registration-editors.tsx';
import type { Application, ContentType, ListingDetails, Specific } from '../types.ts';
import { AGE_RATINGS, CONTENT_TYPES, PERFORMANCE_TYPES, REGIONS, RESTAURANT_TYPES, WEEKDAYS } from '../types.ts';

const BLANK_SPECIFIC: Record<ContentType, Specific> = {
  RESTAURANT: { type: 'RESTAURANT', cuisine: '', seatCapacity: 0, restaurantType: null, ageRating: null },
  PERFORMANCE: { type: 'PERFORMANCE', venue: '', startDate: '', endDate: '', runtimeMinutes: 0, ageRating: 'ALL', performanceType: null, cast: [], ticketWindow: null },
  EXHIBITION: {
    type: 'EXHIBITION', venue: '', startDate: '', endDate: '', ticketPriceKrw: 0, region: null, artists: [], dailyHours: null, ticketWindow: null, ageRating: null,
  },
};

const blank = (contentType: ContentType): ListingDetails => ({
  type: 'LISTING', name: '', description: '', contact: { phone: '', email: '' }, address: { postalCode: '', road: '', detail: null },
  businessHours: WEEKDAYS.map((day) => ({ day, hours: { opensAt: '10:00', closesAt: '20:00', overnight: false } })), specific: BLANK_SPECIFIC[contentType],
  businessRegistration: null,
});

function SpecificEditor({ specific, onChange, errors }: { specific: Specific; onChange: (s: Specific) => void; errors: FieldErrors }) {
  const text = (key: string, label: string, type: 'text' | 'number' | 'date' = 'text') => (
    <Field id={`specific.${key}`} label={label} type={type} required value={String((specific as unknown as Record<string, unknown>)[key] ?? '')} error={errors[`specific.${key}`]}
      onInput={(e) => onChange({ ...specific, [key]: type === 'number' ? Number(e.currentTarget.value) : e.currentTarget.value } as Specific)} />
  );
  const rating = (optional: boolean) => (
    <SymbolSelect id="specific.ageRating" label={t('ageRating')} symbols={AGE_RATINGS} value={specific.ageRating} optional={optional} error={errors['specific.ageRating']}
      onChange={(ageRating) => onChange({ ...specific, ageRating } as Specific)} />
  );
  const window = specific.type === 'RESTAURANT' ? null : (
    <TicketWindowEditor id="specific.ticketWindow" window={specific.ticketWindow} errors={errors} onChange={(ticketWindow) => onChange({ ...specific, ticketWindow })} />
  );
  switch (specific.type) {
    case 'RESTAURANT': return (
      <fieldset><legend>{t('RESTAURANT')}</legend>{text('cuisine', t('cuisine'))}{text('seatCapacity', t('seatCapacity'), 'number')}
        <SymbolSelect id="specific.restaurantType" label={t('restaurantType')} symbols={RESTAURANT_TYPES} value={specific.restaurantType} error={errors['specific.restaurantType']}
          onChange={(restaurantType) => onChange({ ...specific, restaurantType })} />
        {rating(true)}
      </fieldset>);
    case 'PERFORMANCE': return (
      <fieldset><legend>{t('PERFORMANCE')}</legend>{text('venue', t('venue'))}{text('startDate', t('startDate'), 'date')}{text('endDate', t('endDate'), 'date')}
        {text('runtimeMinutes', t('runtimeMinutes'), 'number')}
        {rating(false)}
        <SymbolSelect id="specific.performanceType" label={t('performanceType')} symbols={PERFORMANCE_TYPES} value={specific.performanceType} error={errors['specific.performanceType']}
          onChange={(performanceType) => onChange({ ...specific, performanceType })} />
        <NamesEditor id="specific.cast" label={t('cast')} names={specific.cast} errors={errors} onChange={(cast) => onChange({ ...specific, cast })} />
        {window}
      </fieldset>);
    case 'EXHIBITION': return (
      <fieldset><legend>{t('EXHIBITION')}</legend>{text('venue', t('venue'))}{text('startDate', t('startDate'), 'date')}{text('endDate', t('endDate'), 'date')}
        {text('ticketPriceKrw', t('ticketPriceKrw'), 'number')}
        <SymbolSelect id="specific.region" label={t('region')} symbols={REGIONS} value={specific.region} error={errors['specific.region']}
          onChange={(region) => onChange({ ...specific, region })} />
        <NamesEditor id="specific.artists" label={t('artists')} names={specific.artists} errors={errors} onChange={(artists) => onChange({ ...specific, artists })} />
        <DailyHoursEditor id="specific.dailyHours" hours={specific.dailyHours} errors={errors} onChange={(dailyHours) => onChange({ ...specific, dailyHours })} />
        {window}
        {rating(true)}
      </fieldset>);
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
    const refused = registrationProblems(details.businessRegistration);
    if (Object.keys(refused).length > 0) { setErrors(refused); setProblem(new Problem(400, t('fixFields', { count: Object.keys(refused).length }))); return; }
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
        <BusinessRegistrationEditor registration={details.businessRegistration} errors={errors} onChange={(businessRegistration) => setDetails({ ...details, businessRegistration })} />
        <ContactEditor contact={details.contact} errors={errors} onChange={(contact) => setDetails({ ...details, contact })} />
        <AddressEditor address={details.address} errors={errors} onChange={(address) => setDetails({ ...details, address })} />
        <HoursEditor hours={details.businessHours} errors={errors} onChange={(businessHours) => setDetails({ ...details, businessHours })} />
        <button type="submit" id="submit" disabled={busy}>{busy ? t('sending') : amendId ? t('saveAmend') : t('submit')}</button>
      </form>
    </section>
  );
}
