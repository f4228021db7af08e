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
// Case spelled out rather than by the `i` flag: the pattern also goes into /openapi.json, where a
// JSON Schema pattern has no flags.
export const UUID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$/;

export const UUID_RULE = 'must be a UUID (RFC 9562, version 1 to 8, e.g. from crypto.randomUUID())';

export const isUuid = (value: string): boolean => UUID_PATTERN.test(value);

/** 32 hex digits in the 8-4-4-4-12 layout. */
export const uuidFromHex = (hex: string): string => `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
