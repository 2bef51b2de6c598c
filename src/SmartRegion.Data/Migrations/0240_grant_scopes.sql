-- A grant's empty field list or empty row filter admits nothing (it never widens to "everything"); new ones are refused.
-- Grants that hold one are revoked, so that what they meant is said by a new grant; the checks apply to new rows.
UPDATE catalog.dataset_grant SET revoked_at = now()
 WHERE revoked_at IS NULL AND (cardinality(fields) = 0 OR row_filter = '{}'::jsonb);
ALTER TABLE catalog.dataset_grant
    ADD CONSTRAINT dataset_grant_fields_not_empty CHECK (fields IS NULL OR cardinality(fields) > 0) NOT VALID,
    ADD CONSTRAINT dataset_grant_row_filter_not_empty CHECK (row_filter IS NULL OR row_filter <> '{}'::jsonb) NOT VALID;
