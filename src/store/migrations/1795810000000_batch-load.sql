-- Up Migration

-- What a batch transaction reads before it folds its commands, in one round trip instead of
-- five: the claim of every partition it carries (held FOR SHARE until the transaction ends, so a
-- new claim waits for it), the applications its commands name (locked, in id order), the
-- commandIds already processed, the listings its commands touch (locked, in id order) and their
-- pending changes. A VOLATILE function runs each statement on a fresh snapshot, so every read
-- after a lock sees what the lock's previous holder committed, as separate statements would:
-- a batch that waited for another's listing lock sees that batch's pending change.
-- Rows come back as (kind, key, value, row): 'moved' (a partition whose token no longer holds
-- it; nothing else is read then), 'application' and 'listing' (the row as jsonb), 'known'
-- (commandId, payload hash as hex) and 'pending' (listingId, the pending application's id).
CREATE FUNCTION load_batch(p_partitions integer[], p_tokens bigint[], p_applications uuid[], p_commands uuid[], p_listings uuid[])
RETURNS TABLE (kind text, key text, value text, row_data jsonb)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
  v_listings uuid[];
BEGIN
  RETURN QUERY
    SELECT 'moved'::text, c.p::text, NULL::text, NULL::jsonb
    FROM unnest(p_partitions, p_tokens) AS c(p, t)
    LEFT JOIN (SELECT source_partition, token FROM partition_claims WHERE source_partition = ANY(p_partitions) ORDER BY source_partition FOR SHARE) held
      ON held.source_partition = c.p
    WHERE held.token IS DISTINCT FROM c.t;
  IF FOUND THEN RETURN; END IF;
  RETURN QUERY
    SELECT 'application'::text, a.id::text, NULL::text, to_jsonb(a)
    FROM (SELECT * FROM applications WHERE id = ANY(p_applications) ORDER BY id FOR UPDATE) a;
  RETURN QUERY
    SELECT 'known'::text, p.command_id::text, encode(p.payload_hash, 'hex'), NULL::jsonb
    FROM processed_commands p WHERE p.command_id = ANY(p_commands);
  -- As an array: `= ANY` of it plans as index probes, where an IN over a subquery could be
  -- planned (generically, in a function) as a scan of the whole table.
  SELECT array_agg(DISTINCT id) INTO v_listings FROM (
    SELECT unnest(p_listings) UNION SELECT listing_id FROM applications WHERE id = ANY(p_applications) AND listing_id IS NOT NULL
  ) AS touched(id);
  IF v_listings IS NULL THEN RETURN; END IF;
  RETURN QUERY
    SELECT 'listing'::text, l.id::text, NULL::text, to_jsonb(l)
    FROM (SELECT * FROM listings WHERE id = ANY(v_listings) ORDER BY id FOR UPDATE) l;
  RETURN QUERY
    SELECT 'pending'::text, a.listing_id::text, a.id::text, NULL::jsonb
    FROM applications a
    WHERE a.listing_id = ANY(v_listings) AND a.status = 'PENDING' AND a.kind = 'INFO_CHANGE';
END
$$;

-- Down Migration

DROP FUNCTION load_batch(integer[], bigint[], uuid[], uuid[], uuid[]);
