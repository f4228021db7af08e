import { hash } from 'node:crypto';
import { isUuid, uuidFromHex } from '../../domain/ids.ts';

/**
 * Namespace of listing ids derived from application ids. Fixed forever: changing it would give
 * an already published listing a different id when its approval is replayed.
 */
export const LISTING_ID_NAMESPACE = '7f7ef740-dff6-4b4d-91b2-56255c2145a1';

/** Namespace bytes by namespace text: a handful of constants, parsed once each. */
const namespaceBytes = new Map<string, Buffer>();

function bytesOf(namespace: string): Buffer {
  let bytes = namespaceBytes.get(namespace);
  if (bytes === undefined) {
    if (!isUuid(namespace)) throw new Error(`uuidV5: namespace ${namespace} is not a UUID`);
    bytes = Buffer.from(namespace.replaceAll('-', ''), 'hex');
    if (namespaceBytes.size < 64) namespaceBytes.set(namespace, bytes);
  }
  return bytes;
}

/** RFC 9562 version 5 (SHA-1, name-based) UUID: the same name always yields the same id. */
export function uuidV5(name: string, namespace: string): string {
  // One-shot crypto.hash: a Hash object per id (createHash, two updates, digest) cost ~3x as much.
  const bytes = hash('sha1', Buffer.concat([bytesOf(namespace), Buffer.from(name, 'utf8')]), 'buffer').subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8]! & 0x3f) | 0x80; // RFC variant
  return uuidFromHex(bytes.toString('hex'));
}

/**
 * The id of the listing an approved NEW_LISTING application creates. Derived, not random, so a
 * redelivered or replayed approval names the same listing and the decider stays pure.
 */
export function listingIdFor(applicationId: string): string {
  return uuidV5(applicationId, LISTING_ID_NAMESPACE);
}
