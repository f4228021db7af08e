import type { DatabaseTransactionConnection } from 'slonik';
import type { Database } from './db.ts';
import { sql } from './db.ts';
import { partitionClaimRow } from './tables.ts';

const claimToken = partitionClaimRow.pick({ token: true });

/**
 * Takes a partition over: a new token, greater than every earlier one. The upsert waits for the
 * batch transaction of the previous holder, if one is running (it holds the row FOR SHARE), so
 * everything that holder committed is visible once this returns.
 */
export async function claimPartition(db: Database, partition: number): Promise<string> {
  return String(await db.oneFirst(sql.type(claimToken)`
    INSERT INTO partition_claims (source_partition, token) VALUES (${partition}, nextval('partition_claim_tokens'))
    ON CONFLICT (source_partition) DO UPDATE SET token = EXCLUDED.token, claimed_at = now()
    RETURNING token`));
}

const heldClaim = partitionClaimRow.pick({ source_partition: true, token: true });

/**
 * The partitions of `claims` whose token no longer holds them; the others stay held (FOR SHARE)
 * until the transaction ends, so a new claim waits for it.
 */
export async function movedClaims(tx: DatabaseTransactionConnection, claims: readonly { partition: number; token: string }[]): Promise<number[]> {
  const rows = await tx.any(sql.type(heldClaim)`
    SELECT source_partition, token FROM partition_claims
    WHERE source_partition = ANY(${sql.array(claims.map((claim) => claim.partition), 'int4')}) ORDER BY source_partition FOR SHARE`);
  const held = new Map(rows.map((row) => [row.source_partition, String(row.token)]));
  return claims.filter((claim) => held.get(claim.partition) !== claim.token).map((claim) => claim.partition);
}
