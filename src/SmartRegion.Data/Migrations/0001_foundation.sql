-- Foundation: the extensions and the schemas of DESIGN.md. Tables arrive with their features.
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE SCHEMA IF NOT EXISTS region;   -- buildings, roof surfaces, addresses, boundaries
CREATE SCHEMA IF NOT EXISTS weather;  -- stations and hourly series
CREATE SCHEMA IF NOT EXISTS solar;    -- runs, results, panel layouts, job queue
CREATE SCHEMA IF NOT EXISTS catalog;  -- organisations, members, keys, datasets, versions, grants, access log
CREATE SCHEMA IF NOT EXISTS records;  -- typed tables of partner dataset versions

COMMENT ON SCHEMA region IS 'Buildings, roof surfaces, addresses and boundaries, stored in EPSG:2154.';
COMMENT ON SCHEMA weather IS 'Weather stations and their hourly typical-year series.';
COMMENT ON SCHEMA solar IS 'Solar runs (provenance), per-face and per-building results, panels, job queue.';
COMMENT ON SCHEMA catalog IS 'Organisations, members, API keys, datasets, versions, grants, access log.';
COMMENT ON SCHEMA records IS 'One typed table per published dataset version.';
