import { useState } from 'preact/hooks';
import { get, Problem, sendCommand, type CommandStatus } from '../api.ts';
import { t } from '../i18n.ts';
import { AddressEditor, ContactEditor, fullWeek, HoursEditor, type FieldErrors } from '../parts/editors.tsx';
import { errorsByField } from '../parts/field.tsx';
import { ErrorBox, Show, useLoad } from '../parts/load.tsx';
import { OutcomeView } from '../parts/outcome.tsx';
import type { Listing } from '../types.ts';

type Part = 'contact' | 'address' | 'businessHours';

/** An INFO_CHANGE for one's listing: the parts chosen are sent, the others stay as they are (null). */
function ChangeForm({ listing }: { listing: Listing }) {
  const [parts, setParts] = useState<Set<Part>>(new Set());
  const [contact, setContact] = useState(listing.contact);
  const [address, setAddress] = useState(listing.address);
  const [hours, setHours] = useState(fullWeek(listing.businessHours));
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
    const details = { type: 'INFO_CHANGE', contact: parts.has('contact') ? contact : null, address: parts.has('address') ? address : null, businessHours: parts.has('businessHours') ? hours : null };
    sendCommand('/applications', { kind: 'INFO_CHANGE', contentType: listing.contentType, listingId: listing.id, details })
      .then(setOutcome, (error: Problem) => { setProblem(error); setErrors(errorsByField(error.errors)); })
      .finally(() => setBusy(false));
  };
  return (
    <form id="change-form" onSubmit={submit}>
      <fieldset class="choice"><legend>{t('changeWhat')}</legend>
        {(['contact', 'address', 'businessHours'] as const).map((part) => (
          <label key={part}><input type="checkbox" id={`change-${part}`} checked={parts.has(part)} onChange={() => toggle(part)} /> {t(part)}</label>
        ))}
      </fieldset>
      {problem && <ErrorBox problem={problem} />}
      {parts.has('contact') && <ContactEditor contact={contact} onChange={setContact} errors={errors} />}
      {parts.has('address') && <AddressEditor address={address} onChange={setAddress} errors={errors} />}
      {parts.has('businessHours') && <HoursEditor hours={hours} onChange={setHours} errors={errors} />}
      <button type="submit" id="send-change" disabled={busy}>{busy ? t('sending') : t('sendChange')}</button>
    </form>
  );
}

export function ChangeRequestPage({ listingId }: { listingId: string }) {
  const [loaded, reload] = useLoad(() => get<Listing>(`/listings/${listingId}`), [listingId]);
  return (
    <section>
      <Show loaded={loaded} retry={reload}>{(listing) => <><h2>{t('changeTitle', { name: listing.name })}</h2><ChangeForm listing={listing} /></>}</Show>
    </section>
  );
}
