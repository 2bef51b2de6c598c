-- The per-building report (issue 14): the exact document GET /api/v1/solar/buildings/{id} serves, written once by the
-- computation in the row of its result, so the API reads one row by key instead of rebuilding it from the result, face,
-- building, address, run and station rows (several joins, a ST_Dump and three transforms per panel per request).
-- The document holds everything but the run's finish time and parameters, which are the same for every building of a
-- run: the server adds them to the provenance (SolarResultQueries.GetBuildingReportJsonAsync). Results computed before
-- this column existed have none; the API rebuilds theirs as before.
-- json, not jsonb: written once by the platform's own writer and read whole as text (json_in only checks the syntax).
ALTER TABLE solar.building_result ADD COLUMN report json;
COMMENT ON COLUMN solar.building_result.report IS
    'The building''s report as the solar API serves it, without provenance.computedAt and provenance.parameters (the run''s); null for results computed before 0400';
ALTER TABLE solar.building_result ALTER COLUMN report SET STATISTICS 0;
DO $$ BEGIN
    ALTER TABLE solar.building_result ALTER COLUMN report SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN RAISE NOTICE 'lz4 compression unavailable on this server: solar reports keep pglz';
END $$;
