import { useState } from 'preact/hooks';
import { sendCommand, type CommandStatus, type Problem } from '../api.ts';
import { formatTime, t } from '../i18n.ts';
import type { Session } from '../session.ts';
import type { Application, ReviewClaim } from '../types.ts';
import { ErrorBox } from './load.tsx';
import { OutcomeView } from './outcome.tsx';

/** Who reviews the application right now, as every admin sees it (the decision page and the queue). */
export function ReviewClaimLine({ claim }: { claim: NonNullable<ReviewClaim> }) {
  return (
    <span class="review-claim" data-admin={claim.adminId}>
      {t('beingReviewedBy', { admin: claim.adminId, since: formatTime(claim.since) })}
    </span>
  );
}

/** The processor's answer; a refusal that concerns a claim names the holder, as the application now shows it. */
export function ClaimOutcome({ status, holder }: { status: CommandStatus; holder: string | null }) {
  const admin = holder ?? t('anotherAdmin');
  if (status.status === 'REJECTED' && status.code === 'ALREADY_CLAIMED') {
    return <p class="outcome refused" role="alert" data-code={status.code}>{t('outcomeAlreadyClaimed', { admin })}</p>;
  }
  if (status.status === 'REJECTED' && status.code === 'CLAIMED_BY_OTHER') {
    return <p class="outcome refused" role="alert" data-code={status.code}>{t('outcomeClaimedByOther', { admin })}</p>;
  }
  return <OutcomeView status={status} />;
}

/**
 * Claim, take over or release the review of a PENDING application. `outcome` lives with the
 * page, so a decision refused with CLAIMED_BY_OTHER is told here too, next to the holder.
 */
export function ReviewClaimPanel({ application, session, outcome, onOutcome }: {
  application: Application; session: Session; outcome: CommandStatus | null; onOutcome: (status: CommandStatus) => void;
}) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const claim = application.reviewClaim;
  const mine = claim !== null && claim.adminId === session.subject;
  const send = (method: 'POST' | 'DELETE', body: unknown) => {
    setBusy(true);
    setProblem(null);
    sendCommand(`/applications/${application.id}/review-claim`, body, () => {}, 30_000, method)
      .then(onOutcome, setProblem)
      .finally(() => setBusy(false));
  };
  return (
    <section class="review" id="review">
      <h3>{t('reviewClaimTitle')}</h3>
      <p id="review-claim">
        {claim === null ? t('notClaimed') : <><ReviewClaimLine claim={claim} /> · {t('reviewClaimUntil', { until: formatTime(claim.expiresAt) })}</>}
      </p>
      {problem && <ErrorBox problem={problem} />}
      {outcome && <ClaimOutcome status={outcome} holder={claim?.adminId ?? null} />}
      {!mine && <button type="button" id="claim-review" disabled={busy} onClick={() => send('POST', { takeOver: false })}>{t('claimReview')}</button>}
      {claim !== null && !mine && <button type="button" id="take-over-review" disabled={busy} onClick={() => send('POST', { takeOver: true })}>{t('takeOverReview')}</button>}
      {mine && <button type="button" id="release-review" disabled={busy} onClick={() => send('DELETE', {})}>{t('releaseReview')}</button>}
    </section>
  );
}
