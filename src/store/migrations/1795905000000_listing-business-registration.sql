-- Up Migration

-- Schema v2: the business registration an approved NEW_LISTING was applied for under (null for
-- listings approved before it existed, and for applications that did not give one).
ALTER TABLE listings ADD COLUMN business_registration jsonb;

-- Down Migration

ALTER TABLE listings DROP COLUMN business_registration;
