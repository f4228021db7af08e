import { z } from 'zod';
import { UUID_PATTERN } from '../domain/ids.ts';
import type { TimeKey } from '../store/read/keyset.ts';

/**
 * Opaque page cursors: base64url of a small JSON object. Clients must not look inside; the
 * shape is versioned by its `k` field so it can change without breaking old cursors silently.
 */

const MAX_CURSOR_LENGTH = 256;
const MICROS_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{6})Z$/;

/** A real instant written the way the keyset query writes it (so PostgreSQL can never reject it). */
const isMicrosUtc = (text: string) => {
  const match = MICROS_UTC.exec(text);
  if (match === null) return false;
  const date = new Date(`${text.slice(0, 23)}Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 19) === text.slice(0, 19) && date.getUTCFullYear() >= 1;
};

const timeCursor = z.object({ k: z.literal('t1'), at: z.string().refine(isMicrosUtc), id: z.string().regex(UUID_PATTERN) });
const idCursor = z.object({ k: z.literal('i1'), id: z.string().regex(/^[1-9]\d{0,18}$/) });

const encode = (value: object) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

function decode(text: string): unknown {
  if (text.length === 0 || text.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

export const encodeTimeCursor = (key: TimeKey): string => encode({ k: 't1', at: key.at, id: key.id });

/** null when the text is not a cursor this API issued for a newest-first list. */
export function decodeTimeCursor(text: string): TimeKey | null {
  const parsed = timeCursor.safeParse(decode(text));
  return parsed.success ? { at: parsed.data.at, id: parsed.data.id.toLowerCase() } : null;
}

export const encodeIdCursor = (id: string): string => encode({ k: 'i1', id });

/** null when the text is not a cursor this API issued for an id-ordered list. */
export function decodeIdCursor(text: string): string | null {
  const parsed = idCursor.safeParse(decode(text));
  return parsed.success && BigInt(parsed.data.id) <= 9_223_372_036_854_775_807n ? parsed.data.id : null;
}
