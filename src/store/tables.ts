import { z } from 'zod';
import type { Address, ApplicationDetails, BusinessRegistration, Contact, ContentSpecific, DayHours, DomainEvent } from '../domain/types.ts';
import { ADMIN_ACTIONS, APPLICATION_KINDS, COMMAND_TYPES, APPLICATION_STATUSES, CONTENT_TYPES, DEAD_LETTER_CODES, EVENT_TYPES } from '../domain/values.ts';

/**
 * One row schema per table, as rows arrive through slonik's type parsers (the migrations in
 * ./migrations are the source): timestamptz as epoch milliseconds, int8 as bigint, bytea as
 * Buffer, jsonb parsed. A query of fewer columns picks from its table's schema.
 *
 * Checks stay shallow because the batch path validates every row it locks: uuid columns are
 * plain strings (PostgreSQL already checked the format), and jsonb columns, written only by this
 * service from domain values, are checked to be JSON objects or arrays, not walked.
 */

const uuid = z.string();
const time = z.number();
const bigint = z.bigint();
/** A timestamptz inside json (to_jsonb, json_build_object): ISO 8601 text, read as epoch milliseconds like `time`. */
export const jsonTime = z.string().transform((text) => Date.parse(text));
const jsonb = <T>() => z.custom<T>((value) => typeof value === 'object' && value !== null);

export const applicationRow = z.object({
  id: uuid,
  applicant_id: z.string(),
  kind: z.enum(APPLICATION_KINDS),
  listing_id: uuid.nullable(),
  content_type: z.enum(CONTENT_TYPES),
  status: z.enum(APPLICATION_STATUSES),
  details: jsonb<ApplicationDetails>(),
  version: z.number(),
  created_at: time,
  updated_at: time,
  decided_at: time.nullable(),
  decided_by: z.string().nullable(),
  rejection_reason: z.string().nullable(),
  decision_note: z.string().nullable(),
  review_claimed_by: z.string().nullable(),
  review_claimed_at: time.nullable(),
  review_claim_expires_at: time.nullable(),
});

export const listingRow = z.object({
  id: uuid,
  owner_id: z.string(),
  content_type: z.enum(CONTENT_TYPES),
  name: z.string(),
  description: z.string(),
  contact: jsonb<Contact>(),
  address: jsonb<Address>(),
  business_hours: jsonb<DayHours[]>(),
  specific: jsonb<ContentSpecific>(),
  business_registration: jsonb<BusinessRegistration>().nullable(),
  source_application_id: uuid,
  version: z.number(),
  created_at: time,
  updated_at: time,
});

/** admin_action_log */
export const adminActionRow = z.object({
  id: bigint,
  admin_id: z.string().nullable(),
  application_id: uuid,
  action: z.enum(ADMIN_ACTIONS),
  reason: z.string().nullable(),
  command_id: uuid,
  at: time,
});

export const processedCommandRow = z.object({
  command_id: uuid,
  payload_hash: z.instanceof(Buffer),
  application_id: uuid,
  command_type: z.enum(COMMAND_TYPES),
  outcome: z.string(),
  source_partition: z.number(),
  source_offset: bigint,
  processed_at: time,
});

export const applicationEventRow = z.object({
  id: bigint,
  event_id: uuid,
  application_id: uuid,
  command_id: uuid,
  version: z.number(),
  type: z.enum(EVENT_TYPES),
  /** The domain event itself, as the batch wrote it. */
  payload: jsonb<DomainEvent>(),
  occurred_at: time,
});

/** reviewer_notes: read by MASTER routes only. */
export const reviewerNoteRow = z.object({
  id: bigint,
  note_id: uuid,
  application_id: uuid,
  admin_id: z.string(),
  text: z.string(),
  command_id: uuid,
  at: time,
});

/** outbox_rows: insert-only; what was published is the partition's watermark in outbox_published. */
export const outboxRow = z.object({
  id: bigint,
  event_id: uuid,
  source_partition: z.number(),
  topic: z.string(),
  key: z.string().nullable(),
  key_bytes: z.instanceof(Buffer).nullable(),
  value: z.instanceof(Buffer).nullable(),
  headers: jsonb<Record<string, string>>(),
  created_at: time,
});

export const outboxPublishedRow = z.object({
  source_partition: z.number(),
  published_id: bigint,
  published_at: time,
});

export const partitionClaimRow = z.object({
  source_partition: z.number(),
  token: bigint,
  claimed_at: time,
});

export const gatewayCommandRow = z.object({
  command_id: uuid,
  fingerprint: z.string(),
  application_id: uuid,
  command_type: z.enum(COMMAND_TYPES),
  requested_by: z.string(),
  value: z.instanceof(Buffer),
  requested_at: time,
  sent_at: time.nullable(),
});

export const deadLetteredCommandRow = z.object({
  command_id: uuid,
  code: z.enum(DEAD_LETTER_CODES),
  message: z.string(),
  source_partition: z.number(),
  source_offset: bigint,
  dead_lettered_at: time,
});
