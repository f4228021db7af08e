/**
 * The one rule for ids: command ids (the Idempotency-Key), application and listing ids, event
 * ids. The gateway, the HTTP parameters, the cursors and the processor's envelope all use it, so
 * an id the gateway accepts is never one the processor dead-letters.
 *
 * An id is a UUID as RFC 9562 lays it out: 8-4-4-4-12 hex digits (either case), a version from 1
 * to 8 (crypto.randomUUID() gives 4, time-ordered generators 7, our derived ids are 5) and the
 * RFC variant (10xx). The nil and max UUIDs are refused, and so are other versions and variants
 * (`aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa`): no generator a producer would use makes them, a
 * default or placeholder does, and as an idempotency key such a value would make unrelated
 * commands collide. PostgreSQL's uuid type would take them, so the rule has to be ours.
 */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export const UUID_RULE = 'must be a UUID (RFC 9562, version 1 to 8, e.g. from crypto.randomUUID())';

export const isUuid = (value: string): boolean => UUID_PATTERN.test(value);
