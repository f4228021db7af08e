import type { CommonQueryMethods } from 'slonik';
import type { ReviewerNote } from '../../domain/types.ts';
import { sql } from '../db.ts';
import { reviewerNoteRow } from '../tables.ts';

const noteRow = reviewerNoteRow.omit({ id: true });

/** An application's reviewer notes, oldest first. Only MASTER routes call this. */
export async function notesOf(db: CommonQueryMethods, applicationId: string): Promise<ReviewerNote[]> {
  const rows = await db.any(sql.type(noteRow)`
    SELECT note_id, application_id, admin_id, text, command_id, at FROM reviewer_notes
    WHERE application_id = ${applicationId}::uuid ORDER BY id`);
  return rows.map((r) => ({ noteId: r.note_id, applicationId: r.application_id, adminId: r.admin_id, text: r.text, commandId: r.command_id, at: r.at }));
}
