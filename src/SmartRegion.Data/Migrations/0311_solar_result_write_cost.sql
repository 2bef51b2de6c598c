-- Solar results, cheaper to write again (issue 5, speed). Profiled on the 100k-building synthetic city (perf, one worker):
-- PostgreSQL spent about a sixth of its CPU in jsonb_recv parsing each building's configurations, finance and uncertainty
-- documents, and an eighth in autovacuum's ANALYZE of the growing result tables, mostly the element statistics
-- (hashing every element) of real[] columns that no query filters on.

-- 1. json instead of jsonb: the three documents are written once by the platform's own serializer and read back whole
--    (the API reads them as text; ->> works on json too). json_in only checks the syntax; jsonb_in also converts every
--    number to numeric and builds the binary tree (2.3× the CPU on this table's documents). The text is kept as written.
DROP VIEW solar.building_latest;
ALTER TABLE solar.building_result
    ALTER COLUMN configurations TYPE json USING configurations::json,
    ALTER COLUMN finance TYPE json USING finance::json,
    ALTER COLUMN uncertainty TYPE json USING uncertainty::json;
CREATE VIEW solar.building_latest AS
    SELECT DISTINCT ON (br.building_id) br.*
    FROM solar.building_result br
    JOIN solar.run r ON r.id = br.run_id AND r.status = 'complete'
    ORDER BY br.building_id, br.run_id DESC;
-- A type change drops the column's compression setting: LZ4 again, as 0310 set it (pglz on a server without LZ4).
DO $$ BEGIN
    ALTER TABLE solar.building_result ALTER COLUMN configurations SET COMPRESSION lz4, ALTER COLUMN finance SET COMPRESSION lz4, ALTER COLUMN uncertainty SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN RAISE NOTICE 'lz4 compression unavailable on this server: solar results keep pglz';
END $$;

-- 2. No planner statistics for the per-sample, per-panel and per-month arrays, the quantiles and the panel polygons: no
--    query filters, joins or sorts on them, and ANALYZE detoasted and hashed every element of 30,000 sampled rows each time
--    autovacuum visited the tables during a run. The keys, the face polygon (its GiST index) and the scalars keep theirs.
ALTER TABLE solar.face_result
    ALTER COLUMN sample_kwh_per_m2 SET STATISTICS 0,
    ALTER COLUMN sample_ij SET STATISTICS 0,
    ALTER COLUMN sample_grid SET STATISTICS 0,
    ALTER COLUMN panel_kwh_ac SET STATISTICS 0,
    ALTER COLUMN panels SET STATISTICS 0,
    ALTER COLUMN quantiles_kwh_per_m2 SET STATISTICS 0,
    ALTER COLUMN monthly_kwh_ac SET STATISTICS 0;
ALTER TABLE solar.building_result
    ALTER COLUMN monthly_kwh_ac SET STATISTICS 0;
