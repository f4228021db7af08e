import { useState } from 'preact/hooks';
import { decide, outcomeAt, Problem, type CommandStatus } from '../api.ts';
import { t } from '../i18n.ts';
import { MAX_DECISIONS, type Application, type DecisionRequest, type DecisionResult } from '../types.ts';
import { TextArea } from './field.tsx';
import { ErrorBox } from './load.tsx';
import { OutcomeView } from './outcome.tsx';

/**
 * The applications ticked in the queue. What the admin ticked stays selected while the queue
 * refreshes itself, even when another admin decides one of them meanwhile (its outcome then says
 * NOT_PENDING).
 */
export function useSelection() {
  const [selected, setSelected] = useState<ReadonlyMap<string, Application>>(new Map());
  const toggle = (applications: Application[], on: boolean) => setSelected((current) => {
    const next = new Map(current);
    applications.forEach((a) => (on ? next.set(a.id, a) : next.delete(a.id)));
    return next;
  });
  return { selected, toggle, clear: () => setSelected(new Map()) };
}

/** Where one decision of a bulk is: on its way, refused by the gateway, sent and awaited, or decided by the processor. */
type Progress =
  | { state: 'SENDING' }
  | { state: 'REFUSED'; code: string; message: string }
  | { state: 'SENT' }
  | { state: 'DONE'; status: CommandStatus };

interface Row { id: string; name: string; key: string; progress: Progress }

/** What was sent, kept so a retry (after a network error or BROKER_UNAVAILABLE) sends the very same decisions under the same keys. */
interface Bulk { decisions: DecisionRequest[]; rows: Row[] }

function ProgressView({ progress }: { progress: Progress }) {
  if (progress.state === 'DONE') return <OutcomeView status={progress.status} />;
  if (progress.state === 'REFUSED') {
    return <p class="outcome refused" role="alert" data-code={progress.code}>{t('bulkRefused', { code: progress.code, message: progress.message })}</p>;
  }
  return <p class="outcome pending" role="status">{t(progress.state === 'SENDING' ? 'bulkSending' : 'waitingOutcome')}</p>;
}

/** The row's state as the tests and styles read it: SENDING, SENT, REFUSED, or the command's final status. */
const stateOf = (progress: Progress) => (progress.state === 'DONE' ? progress.status.status : progress.state);
const codeOf = (progress: Progress) => (progress.state === 'REFUSED' ? progress.code : progress.state === 'DONE' ? progress.status.code ?? undefined : undefined);

/**
 * Approve or reject the selected applications in one POST /decisions, each under its own key,
 * then follow each accepted one to its outcome: every row shows its own as it arrives,
 * NOT_PENDING for one another admin decided meanwhile.
 */
export function BulkDecisions({ selected, onSent }: { selected: Application[]; onSent: () => void }) {
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | undefined>();
  const [bulk, setBulk] = useState<Bulk | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);

  const update = (key: string, progress: Progress) => setBulk((current) => current && {
    ...current, rows: current.rows.map((row) => (row.key === key ? { ...row, progress } : row)),
  });
  // Sent is all that is known while the outcome is not in yet (or cannot be read just now).
  const follow = (key: string, location: string) => outcomeAt(location, 120_000).then(
    (status) => update(key, status.status === 'PENDING' ? { state: 'SENT' } : { state: 'DONE', status }),
    () => update(key, { state: 'SENT' }),
  );

  /** One request per MAX_DECISIONS of them, in order; what a failed request held stays retryable. */
  const send = async (sending: Bulk) => {
    setProblem(null);
    setBulk(sending);
    for (let from = 0; from < sending.decisions.length; from += MAX_DECISIONS) {
      let results: DecisionResult[];
      try {
        results = await decide({ decisions: sending.decisions.slice(from, from + MAX_DECISIONS) });
      } catch (error) {
        setProblem(error instanceof Problem ? error : new Problem(0, String(error)));
        return;
      }
      results.forEach((result, index) => {
        const { key, progress } = sending.rows[from + index]!;
        // A retry answers an item already followed as accepted again: it is not followed twice.
        if (progress.state === 'DONE' || progress.state === 'SENT') return;
        if (result.status === 'REFUSED') update(key, { state: 'REFUSED', code: result.code, message: result.message });
        else {
          update(key, { state: 'SENT' });
          void follow(key, result.location);
        }
      });
    }
  };

  const start = (decision: (application: Application) => Omit<DecisionRequest, 'applicationId' | 'idempotencyKey'>) => {
    const rows = selected.map((a) => ({ id: a.id, name: a.name ?? a.id, key: crypto.randomUUID(), progress: { state: 'SENDING' } as Progress }));
    const decisions = selected.map((a, index) => ({ ...decision(a), applicationId: a.id, idempotencyKey: rows[index]!.key }) as DecisionRequest);
    onSent();
    void send({ decisions, rows });
  };
  const retryable = bulk !== null && (problem !== null || bulk.rows.some((row) => row.progress.state === 'REFUSED' && row.progress.code === 'BROKER_UNAVAILABLE'));
  const retry = () => bulk && void send({ ...bulk, rows: bulk.rows.map((row) => (row.progress.state === 'REFUSED' ? { ...row, progress: { state: 'SENDING' } } : row)) });

  return (
    <div class="bulk">
      <form id="bulk-bar" class="filters" onSubmit={(e) => e.preventDefault()}>
        <p id="bulk-count" data-count={selected.length}>{t('bulkSelected', { count: selected.length })}</p>
        <button type="button" id="bulk-approve" disabled={selected.length === 0} onClick={() => start(() => ({ decision: 'APPROVE' }))}>{t('bulkApprove')}</button>
        <TextArea id="bulk-reason" label={t('bulkReason')} required minLength={1} maxLength={1000} rows={2} value={reason} error={reasonError}
          onInput={(e) => { setReason(e.currentTarget.value); setReasonError(undefined); }} />
        <button type="button" id="bulk-reject" class="danger" disabled={selected.length === 0} onClick={() => {
          // One reason for all of them, required here as the server requires it of each.
          if (reason.trim() === '') { setReasonError(t('reasonRequired')); return; }
          start(() => ({ decision: 'REJECT', reason }));
        }}>{t('bulkReject')}</button>
      </form>
      {problem && <ErrorBox problem={problem} />}
      {bulk && (
        <div id="bulk-results">
          <table class="list">
            <thead><tr><th>{t('name')}</th><th>{t('bulkOutcome')}</th></tr></thead>
            <tbody>{bulk.rows.map((row) => (
              <tr key={row.key} data-id={row.id} data-state={stateOf(row.progress)} data-code={codeOf(row.progress)}>
                <td><a href={`#/applications/${row.id}`}>{row.name}</a></td><td class="outcome-cell"><ProgressView progress={row.progress} /></td>
              </tr>))}
            </tbody>
          </table>
          {retryable && <button type="button" id="bulk-retry" onClick={retry}>{t('bulkRetry')}</button>}
          <button type="button" id="bulk-close" onClick={() => { setBulk(null); setProblem(null); }}>{t('bulkClose')}</button>
        </div>
      )}
    </div>
  );
}
