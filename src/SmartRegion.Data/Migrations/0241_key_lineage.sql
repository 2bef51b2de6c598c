-- The key that made a key (null: made by a person or an operator). Revoking a key revokes every key in its lineage,
-- and a key made by a key never expires after it.
ALTER TABLE catalog.api_key ADD COLUMN created_by_key_id bigint REFERENCES catalog.api_key (id);
CREATE INDEX api_key_created_by_key ON catalog.api_key (created_by_key_id) WHERE created_by_key_id IS NOT NULL;
