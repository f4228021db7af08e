import type { CommandStatus } from '../api.ts';
import { t } from '../i18n.ts';
import type { MessageKey } from '../messages.ts';

const EVENT_KEYS: Record<string, MessageKey> = {
  ApplicationSubmitted: 'submitted', ApplicationApproved: 'APPROVED', ApplicationRejected: 'REJECTED', ApplicationWithdrawn: 'WITHDRAWN', ApplicationAmended: 'amend',
  ReviewClaimed: 'CLAIM', ReviewReleased: 'RELEASE', ReviewerNoteAdded: 'addNote',
};

/** The processor's answer to a command, in words; NOT_PENDING says another admin was first. */
export function OutcomeView({ status }: { status: CommandStatus }) {
  if (status.status === 'PENDING') return <p class="outcome pending" role="status">{t('outcomeTimeout')}</p>;
  if (status.status === 'REJECTED') {
    const text = status.code === 'NOT_PENDING' ? t('outcomeNotPending') : t('outcomeRejected', { code: status.code ?? '', message: status.message ?? '' });
    return <p class="outcome refused" role="alert" data-code={status.code}>{text}</p>;
  }
  if (status.status === 'DEAD_LETTERED') {
    return <p class="outcome refused dead-lettered" role="alert" data-code={status.code}>{t('outcomeDeadLettered', { code: status.code ?? '', message: status.message ?? '' })}</p>;
  }
  const outcome = status.outcome && EVENT_KEYS[status.outcome] ? t(EVENT_KEYS[status.outcome]!) : String(status.outcome);
  return <p class="outcome accepted" role="status" data-outcome={status.outcome}>{t('outcomeAccepted', { outcome, version: status.version ?? '' })}</p>;
}
