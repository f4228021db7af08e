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
