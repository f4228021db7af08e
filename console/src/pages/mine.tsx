import { useState } from 'preact/hooks';
import { get, Problem, sendCommand, type CommandStatus } from '../api.ts';
import { formatTime, t } from '../i18n.ts';
import { useLiveRefresh } from '../parts/live.tsx';
import { Empty, ErrorBox, Show, useLoad } from '../parts/load.tsx';
import { OutcomeView } from '../parts/outcome.tsx';
import type { Session } from '../session.ts';
import type { Application, Page } from '../types.ts';

const nameOf = (a: Application) => (a.details.type === 'LISTING' ? a.details.name : t('INFO_CHANGE'));

export function MinePage({ session }: { session: Session }) {
  const [loaded, reload] = useLoad(() => get<Page<Application>>(`/owners/${encodeURIComponent(session.subject)}/applications?limit=100`), [session.subject]);
  // An owner's stream carries only its own applications: a decision on any of them shows here as it happens.
  useLiveRefresh(reload);
  const [outcome, setOutcome] = useState<CommandStatus | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const withdraw = (id: string) => {
    if (!confirm(t('withdrawConfirm'))) return;
    sendCommand(`/applications/${id}/withdraw`, {}).then((status) => { setOutcome(status); reload(); }, setProblem);
  };
  return (
    <section>
      <h2>{t('mineTitle')}</h2>
      {outcome && <OutcomeView status={outcome} />}
      {problem && <ErrorBox problem={problem} />}
      <Show loaded={loaded} retry={reload}>{(page) => (page.items.length === 0 ? <Empty /> : (
        <table class="list" id="mine">
          <thead><tr><th>{t('submittedAt')}</th><th>{t('name')}</th><th>{t('filterContentType')}</th><th>{t('filterKind')}</th><th>{t('status')}</th><th>{t('rejectionReason')}</th><th /></tr></thead>
          <tbody>{page.items.map((a) => (
            <tr key={a.id} data-id={a.id} data-status={a.status}>
              <td>{formatTime(a.createdAt)}</td><td><a href={`#/applications/${a.id}`}>{nameOf(a)}</a></td><td>{t(a.contentType)}</td><td>{t(a.kind)}</td>
              <td class={`badge ${a.status}`}>{t(a.status)}</td><td class="reason">{a.decision.rejectionReason ?? ''}</td>
              <td class="actions">
                {a.status === 'PENDING' && <>
                  <a class="button" data-amend={a.id} href={a.kind === 'INFO_CHANGE' ? `#/listings/${a.listingId}?amend=${a.id}` : `#/apply/${a.id}`}>{t('amend')}</a>
                  <button type="button" class="danger" onClick={() => withdraw(a.id)}>{t('withdraw')}</button>
                </>}
                {a.status === 'REJECTED' && a.kind === 'NEW_LISTING' && <a class="button" href={`#/apply?from=${a.id}`} data-apply-again={a.id}>{t('applyAgain')}</a>}
              </td>
            </tr>))}
          </tbody>
        </table>
      ))}</Show>
    </section>
  );
}
