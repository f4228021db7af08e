import { useState } from 'preact/hooks';
import { sendCommand, type CommandStatus, type Problem } from '../api.ts';
import { formatTime, t } from '../i18n.ts';
import type { ReviewerNote } from '../types.ts';
import { errorsByField, TextArea } from './field.tsx';
import { Empty, ErrorBox } from './load.tsx';
import { OutcomeView } from './outcome.tsx';

/** The reviewers' notes on an application and a form for one more: MASTER only, never on an owner's page. */
export function ReviewerNotes({ applicationId, notes, onAdded }: { applicationId: string; notes: ReviewerNote[]; onAdded: () => void }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [outcome, setOutcome] = useState<CommandStatus | null>(null);
  const add = () => {
    setBusy(true);
    setProblem(null);
    sendCommand(`/applications/${applicationId}/notes`, { text }, () => {})
      .then((status) => {
        setOutcome(status.status === 'ACCEPTED' ? null : status);
        if (status.status === 'ACCEPTED') setText('');
        onAdded();
      }, setProblem)
      .finally(() => setBusy(false));
  };
  return (
    <section class="notes" id="reviewer-notes">
      <h3>{t('reviewerNotes')}</h3>
      {notes.length === 0 ? <Empty /> : (
        <ol class="notes-list" id="notes">{notes.map((n) => (
          <li key={n.noteId} data-note-id={n.noteId}><time>{formatTime(n.at)}</time> <strong class="author">{n.adminId}</strong> <span class="text">{n.text}</span></li>
        ))}</ol>
      )}
      {problem && <ErrorBox problem={problem} />}
      {outcome && <OutcomeView status={outcome} />}
      <form id="note-form" onSubmit={(e) => { e.preventDefault(); add(); }}>
        <TextArea id="note-text" label={t('reviewerNoteText')} required minLength={1} maxLength={2000} rows={2} value={text}
          error={problem ? errorsByField(problem.errors).text : undefined} onInput={(e) => setText(e.currentTarget.value)} />
        <button type="submit" id="add-note" disabled={busy || text.trim() === ''}>{t('addNote')}</button>
      </form>
    </section>
  );
}
