-- The platform's own solar results as a catalogue dataset: a version made by a solar run (not from a file) carries
-- that run's provenance, which the dataset's API document and DCAT-AP export read.
ALTER TABLE catalog.dataset_version DROP CONSTRAINT dataset_version_format_check;
ALTER TABLE catalog.dataset_version ADD CONSTRAINT dataset_version_format_check
    CHECK (format IN ('csv', 'geojson', 'gpkg', 'parquet', 'solar-run'));

-- null for uploads; for a 'solar-run' version: run id, model version, parameters checksum, weather station, the
-- ingest runs it read, timings and completion time.
ALTER TABLE catalog.dataset_version ADD COLUMN provenance jsonb CHECK (provenance IS NULL OR jsonb_typeof(provenance) = 'object');

-- At most one version per solar run and dataset, whichever process finishes the run first publishes it.
CREATE UNIQUE INDEX dataset_version_solar_run ON catalog.dataset_version (dataset_id, ((provenance ->> 'runId')::bigint))
    WHERE format = 'solar-run';
