import { useState } from 'preact/hooks';
import { get, Problem, sendCommand, type CommandStatus } from '../api.ts';
import { t } from '../i18n.ts';
import { AddressEditor, ContactEditor, fullWeek, HoursEditor, type FieldErrors } from '../parts/editors.tsx';
import { errorsByField } from '../parts/field.tsx';
import { ErrorBox, Show, useLoad } from '../parts/load.tsx';
import { OutcomeView } from '../parts/outcome.tsx';
import { DailyHoursEditor, NamesEditor, SymbolSelect, TicketWindowEditor } from '../parts/registration-editors.tsx';
import { changeableOn } from '../../../src/processors/decider/registration-data.ts';
import type { MessageKey } from '../messages.ts';
import type { Application, InfoChangeDetails, Listing, SpecificChange } from '../types.ts';
import { REGIONS } from '../types.ts';

type Part = 'contact' | 'address' | 'businessHours' | keyof SpecificChange;

const COMMON_PARTS = ['contact', 'address', 'businessHours'] as const;

/** What the listing has now of each per-type field an owner may change (null: not given). */
function currentSpecific(listing: Listing): SpecificChange {
  const s = listing.specific;
  return {
    cast: s.type === 'PERFORMANCE' ? s.cast : null,
    artists: s.type === 'EXHIBITION' ? s.artists : null,
    region: s.type === 'EXHIBITION' ? s.region : null,
    dailyHours: s.type === 'EXHIBITION' ? s.dailyHours : null,
    ticketWindow: s.type === 'RESTAURANT' ? null : s.ticketWindow,
  };
}

/**
 * An INFO_CHANGE for one's listing: the parts chosen are sent, the others stay as they are
 * (null). With `pending`, the PENDING change request is amended, starting from what it asks.
 */
function ChangeForm({ listing, pending }: { listing: Listing; pending: { id: string; details: InfoChangeDetails } | null }) {
  const asked = pending?.details;
  const PARTS: Part[] = [...COMMON_PARTS, ...changeableOn(listing.contentType)];
  const [parts, setParts] = useState<Set<Part>>(new Set(PARTS.filter((part) => asked?.[part] != null)));
  const now = currentSpecific(listing);
  const [specific, setSpecific] = useState<SpecificChange>({
    cast: asked?.cast ?? now.cast ?? [], artists: asked?.artists ?? now.artists ?? [], region: asked?.region ?? now.region,
    dailyHours: asked?.dailyHours ?? now.dailyHours, ticketWindow: asked?.ticketWindow ?? now.ticketWindow,
  });
  const setPart = <K extends keyof SpecificChange>(key: K) => (value: SpecificChange[K]) => setSpecific({ ...specific, [key]: value });
  const [contact, setContact] = useState(asked?.contact ?? listing.contact);
  const [address, setAddress] = useState(asked?.address ?? listing.address);
  const [hours, setHours] = useState(fullWeek(asked?.businessHours ?? listing.businessHours));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<CommandStatus | null>(null);
  if (outcome) return <section><OutcomeView status={outcome} /><p><a href="#/mine">{t('navMine')}</a></p></section>;
  const toggle = (part: Part) => { const next = new Set(parts); if (!next.delete(part)) next.add(part); setParts(next); };
  const submit = (e: Event) => {
    e.preventDefault();
    if (parts.size === 0) { setProblem(new Problem(400, t('pickOne'))); return; }
    setBusy(true);
    const chosen = <K extends keyof SpecificChange>(key: K) => (parts.has(key) ? specific[key] : null);
    const details: InfoChangeDetails = {
      type: 'INFO_CHANGE', contact: parts.has('contact') ? contact : null, address: parts.has('address') ? address : null, businessHours: parts.has('businessHours') ? hours : null,
      cast: chosen('cast'), artists: chosen('artists'), region: chosen('region'), dailyHours: chosen('dailyHours'), ticketWindow: chosen('ticketWindow'),
    };
    const send = pending
      ? sendCommand(`/applications/${pending.id}/amend`, { details })
      : sendCommand('/applications', { kind: 'INFO_CHANGE', contentType: listing.contentType, listingId: listing.id, details });
    send
      .then(setOutcome, (error: Problem) => { setProblem(error); setErrors(errorsByField(error.errors)); })
      .finally(() => setBusy(false));
  };
  return (
    <form id="change-form" onSubmit={submit}>
      <fieldset class="choice"><legend>{t('changeWhat')}</legend>
        {PARTS.map((part) => (
          <label key={part}><input type="checkbox" id={`change-${part}`} checked={parts.has(part)} onChange={() => toggle(part)} /> {t(part as MessageKey)}</label>
        ))}
      </fieldset>
      {problem && <ErrorBox problem={problem} />}
      {parts.has('contact') && <ContactEditor contact={contact} onChange={setContact} errors={errors} />}
      {parts.has('address') && <AddressEditor address={address} onChange={setAddress} errors={errors} />}
      {parts.has('businessHours') && <HoursEditor hours={hours} onChange={setHours} errors={errors} />}
      {parts.has('cast') && <NamesEditor id="cast" label={t('cast')} names={specific.cast ?? []} errors={errors} onChange={setPart('cast')} />}
      {parts.has('artists') && <NamesEditor id="artists" label={t('artists')} names={specific.artists ?? []} errors={errors} onChange={setPart('artists')} />}
      {parts.has('region') && <SymbolSelect id="region" label={t('region')} symbols={REGIONS} value={specific.region} error={errors.region} onChange={setPart('region')} />}
      {parts.has('dailyHours') && <DailyHoursEditor id="dailyHours" hours={specific.dailyHours} errors={errors} onChange={setPart('dailyHours')} />}
      {parts.has('ticketWindow') && <TicketWindowEditor id="ticketWindow" window={specific.ticketWindow} errors={errors} onChange={setPart('ticketWindow')} />}
      <button type="submit" id="send-change" disabled={busy}>{busy ? t('sending') : t('sendChange')}</button>
    </form>
  );
}

/** The PENDING change request to amend, from `#/listings/<id>?amend=<applicationId>`. */
async function load(listingId: string, amendId: string | null) {
  const [listing, application] = await Promise.all([
    get<Listing>(`/listings/${listingId}`),
    amendId === null ? Promise.resolve(null) : get<Application>(`/applications/${amendId}`),
  ]);
  const pending = application !== null && application.details.type === 'INFO_CHANGE' ? { id: application.id, details: application.details } : null;
  return { listing, pending };
}

export function ChangeRequestPage({ listingId }: { listingId: string }) {
  const amendId = new URLSearchParams(location.hash.split('?')[1] ?? '').get('amend');
  const [loaded, reload] = useLoad(() => load(listingId, amendId), [listingId, amendId]);
  return (
    <section>
      <Show loaded={loaded} retry={reload}>{({ listing, pending }) => (
        <><h2>{pending ? t('amendTitle') : t('changeTitle', { name: listing.name })}</h2><ChangeForm listing={listing} pending={pending} /></>
      )}</Show>
    </section>
  );
}
