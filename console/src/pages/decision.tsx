import { useState } from 'preact/hooks';
import { get, Problem, sendCommand, type CommandStatus } from '../api.ts';
import { formatTime, t } from '../i18n.ts';
import { AddressView, ContactView, HoursView, ListingDetailsView, shownValue } from '../parts/details.tsx';
import { errorsByField, TextArea } from '../parts/field.tsx';
import { useLiveRefresh } from '../parts/live.tsx';
import { Empty, ErrorBox, Show, useLoad } from '../parts/load.tsx';
import { ClaimOutcome, ReviewClaimPanel } from '../parts/review-claim.tsx';
import { ReviewerNotes } from '../parts/reviewer-notes.tsx';
import type { Session } from '../session.ts';
import { changeableOn } from '../../../src/processors/decider/registration-data.ts';
import type { MessageKey } from '../messages.ts';
import type { AdminAction, Application, ContentType, HistoryEvent, InfoChangeDetails, Listing, ReviewerNote } from '../types.ts';

type Full = Application & { history: HistoryEvent[] };

/** `reviewer`: a MASTER, who also reads the reviewer notes (an owner's token would get 403). */
async function loadAll(id: string, reviewer: boolean) {
  const application = await get<Full>(`/applications/${id}`);
  const [actions, listing, notes] = await Promise.all([
    get<{ items: AdminAction[] }>(`/applications/${id}/actions`),
    application.listingId && application.kind === 'INFO_CHANGE' ? get<Listing>(`/listings/${application.listingId}`) : Promise.resolve(null),
    reviewer ? get<{ items: ReviewerNote[] }>(`/applications/${id}/notes`).then((list) => list.items) : Promise.resolve([]),
  ]);
  return { application, actions: actions.items, listing, notes };
}

/** An INFO_CHANGE beside the listing it changes: current and proposed values side by side. */
function ChangeView({ change, listing, contentType }: { change: InfoChangeDetails; listing: Listing | null; contentType: ContentType }) {
  const specific = listing?.specific as unknown as Record<string, unknown> | undefined;
  const row = (title: string, current: preact.ComponentChildren, proposed: preact.ComponentChildren | null) => (
    <tr><th scope="row">{title}</th><td>{current}</td><td>{proposed ?? <em>{t('unchanged')}</em>}</td></tr>
  );
  return (
    <section>
      <h3>{t('listingItChanges')}{listing ? `: ${listing.name}` : ''}</h3>
      <table class="compare" id="compare">
        <thead><tr><th /><th>{t('current')}</th><th>{t('proposed')}</th></tr></thead>
        <tbody>
          {row(t('contact'), listing && <ContactView contact={listing.contact} />, change.contact && <ContactView contact={change.contact} />)}
          {row(t('address'), listing && <AddressView address={listing.address} />, change.address && <AddressView address={change.address} />)}
          {row(t('businessHours'), listing && <HoursView hours={listing.businessHours} />, change.businessHours && <HoursView hours={change.businessHours} />)}
          {changeableOn(contentType).map((key) => row(t(key as MessageKey), specific && shownValue(key, specific[key]), change[key] == null ? null : shownValue(key, change[key])))}
        </tbody>
      </table>
    </section>
  );
}

/** Approve with a note, or reject with a reason (1–1000 characters here as on the server). */
function DecisionForms({ id, onDecided }: { id: string; onDecided: (outcome: CommandStatus) => void }) {
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | undefined>();
  const [busy, setBusy] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const decide = (path: string, body: unknown) => {
    setBusy(t('sending'));
    setProblem(null);
    sendCommand(`/applications/${id}/${path}`, body, () => setBusy(t('waitingOutcome')))
      .then(onDecided, (error: Problem) => {
        setProblem(error);
        setReasonError(errorsByField(error.errors).reason);
      })
      .finally(() => setBusy(null));
  };
  return (
    <section class="decide">
      <h3>{t('decision')}</h3>
      {problem && <ErrorBox problem={problem} />}
      {busy && <p role="status" class="state loading">{busy}</p>}
      <form id="approve-form" onSubmit={(e) => { e.preventDefault(); decide('approve', { note: note.trim() === '' ? null : note }); }}>
        <TextArea id="note" label={t('note')} maxLength={1000} rows={2} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
        <button type="submit" id="approve" disabled={busy !== null}>{t('approveButton')}</button>
      </form>
      <form id="reject-form" onSubmit={(e) => {
        e.preventDefault();
        // The browser enforces required and maxLength; a reason of spaces only is refused here too, as the server trims.
        if (reason.trim() === '') { setReasonError(t('reasonRequired')); return; }
        decide('reject', { reason });
      }}>
        <TextArea id="reason" label={t('reason')} required minLength={1} maxLength={1000} rows={3} value={reason} error={reasonError}
          onInput={(e) => { setReason(e.currentTarget.value); setReasonError(undefined); }} />
        <button type="submit" id="reject" class="danger" disabled={busy !== null}>{t('rejectButton')}</button>
      </form>
    </section>
  );
}

export function DecisionPage({ id, session }: { id: string; session: Session }) {
  const reviewer = session.role === 'MASTER';
  const [loaded, reload] = useLoad(() => loadAll(id, reviewer), [id]);
  // Someone else deciding, or the applicant amending or withdrawing, shows here as it happens.
  useLiveRefresh(reload, (outcome) => outcome.applicationId === id);
  // Kept here, not in the forms: the reload that follows a decision removes the forms.
  const [outcome, setOutcome] = useState<CommandStatus | null>(null);
  const [claimOutcome, setClaimOutcome] = useState<CommandStatus | null>(null);
  return (
    <Show loaded={loaded} retry={reload}>{({ application: a, actions, listing, notes }) => (
      <article class="application" data-status={a.status}>
        <h2 id="application-title">{a.name === null ? t('unnamedApplication', { id: a.id }) : t('applicationTitle', { name: a.name })}</h2>
        <dl class="pairs summary">
          <dt>{t('status')}</dt><dd id="status" class={`badge ${a.status}`}>{t(a.status)}</dd>
          <dt>{t('filterContentType')}</dt><dd>{t(a.contentType)}</dd>
          <dt>{t('filterKind')}</dt><dd>{t(a.kind)}</dd>
          <dt>{t('applicant')}</dt><dd>{a.applicantId}</dd>
          <dt>{t('submittedAt')}</dt><dd>{formatTime(a.createdAt)}</dd>
          <dt>{t('version')}</dt><dd>{a.version}</dd>
          {a.decision.decidedBy && <><dt>{t('decidedBy')}</dt><dd>{a.decision.decidedBy}</dd></>}
          {a.decision.rejectionReason && <><dt>{t('rejectionReason')}</dt><dd id="rejection-reason">{a.decision.rejectionReason}</dd></>}
        </dl>
        {a.status === 'PENDING' && reviewer && (
          <ReviewClaimPanel application={a} session={session} outcome={claimOutcome} onOutcome={(status) => {
            // A decision refused for another's claim is stale once the claim changed: the forms come back.
            setClaimOutcome(status);
            setOutcome(null);
            reload();
          }} />
        )}
        {outcome && <ClaimOutcome status={outcome} holder={a.reviewClaim?.adminId ?? null} />}
        {!outcome && a.status === 'PENDING' && session.role === 'MASTER' && <DecisionForms id={a.id} onDecided={(status) => { setOutcome(status); reload(); }} />}
        {a.details.type === 'LISTING' ? <ListingDetailsView details={a.details} /> : <ChangeView change={a.details} listing={listing} contentType={a.contentType} />}
        {reviewer && <ReviewerNotes applicationId={a.id} notes={notes} onAdded={reload} />}
        <section><h3>{t('history')}</h3>
          <ol class="history">{a.history.map((e) => <li key={e.eventId}><time>{formatTime(e.occurredAt)}</time> {e.type} · v{e.version}
            {e.payload.type === 'CommandRejected' && <> · {e.payload.code}</>}</li>)}</ol>
        </section>
        <section><h3>{t('actionLog')}</h3>
          {actions.length === 0 ? <Empty /> : (
            <table class="list" id="actions"><thead><tr><th>{t('at')}</th><th>{t('adminId')}</th><th>{t('action')}</th><th>{t('rejectionReason')}</th></tr></thead>
              <tbody>{actions.map((x) => <tr key={x.id}><td>{formatTime(x.at)}</td><td>{x.adminId ?? '—'}</td><td>{t(x.action)}</td><td>{x.reason ?? ''}</td></tr>)}</tbody></table>
          )}
        </section>
      </article>
    )}</Show>
  );
}
