-- region.building's run columns point into region.ingest_run, an append-only journal (no row is ever deleted), and only the
-- building loader writes them, with the id of the run it created just before in the same process. The foreign-key triggers
-- re-checked that for every row — a quarter of a bulk insert's server time — so the references are kept as documented
-- conventions instead (region.roof_surface keeps its foreign keys: it has a few rows per building at most).
ALTER TABLE region.building DROP CONSTRAINT IF EXISTS building_ingest_run_id_fkey;
ALTER TABLE region.building DROP CONSTRAINT IF EXISTS building_retired_run_id_fkey;
COMMENT ON COLUMN region.building.ingest_run_id IS 'The region.ingest_run that last wrote this row (journal rows are never deleted).';
COMMENT ON COLUMN region.building.retired_run_id IS 'The region.ingest_run (--replace-source) that retired this row, else NULL.';
