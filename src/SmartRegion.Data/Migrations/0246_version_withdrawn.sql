-- Property 4 (the solar API obeys the catalogue): a version a dataset was rolled back from is withdrawn, and stays so
-- when later versions are published; publishing it again (a rollback to it) brings it back. The platform's solar datasets
-- hold one run per version, so a solar run whose version is withdrawn is no longer served by the solar API, the 3D tiles
-- or the barometer (SmartRegion.Data.Solar.ServedSolarResults).
ALTER TABLE catalog.dataset_version ADD COLUMN withdrawn_at timestamptz;

-- Databases rolled back before this column existed: the versions after the current one were rolled back from.
UPDATE catalog.dataset_version v SET withdrawn_at = now()
FROM catalog.dataset d JOIN catalog.dataset_version c ON c.id = d.current_version_id
WHERE v.dataset_id = d.id AND v.status = 'superseded' AND v.number > c.number;

CREATE INDEX dataset_version_withdrawn_run ON catalog.dataset_version (((provenance ->> 'runId')::bigint))
    WHERE withdrawn_at IS NOT NULL AND format = 'solar-run';
