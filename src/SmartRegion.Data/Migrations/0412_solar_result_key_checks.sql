-- Solar results without per-row key checks (issue 14, speed), as 0310 did for the face rows. A profile of PostgreSQL while
-- a run stores its tiles (perf, one worker, 25,624 buildings): 8 % of its CPU went to the two foreign keys of
-- solar.building_result, checked row by row at the end of each COPY: a SELECT … FOR KEY SHARE on region.building (which
-- also locks, so dirties and logs, every building's row) and on solar.run (the same row for every building of the run:
-- two workers' transactions share its lock through a multixact).
-- Only SolarTileStore.CompleteAsync writes results, and by construction with keys that exist: the run is the job's and the
-- building ids are the job's building_ids, current buildings of region.building when the run was made (buildings are
-- retired, never deleted, by the ingest). The cascades on delete are kept as triggers (deletes are rare: a run or a
-- building deleted by hand, a test's cleanup); the face rows follow through building_result_delete_faces (0310).
ALTER TABLE solar.building_result DROP CONSTRAINT IF EXISTS building_result_building_id_fkey;
ALTER TABLE solar.building_result DROP CONSTRAINT IF EXISTS building_result_run_id_fkey;

-- One function for both: the row deleted is a run (solar.run) or a building (region.building).
CREATE FUNCTION solar.delete_results_of() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'run' THEN
        DELETE FROM solar.building_result WHERE run_id = OLD.id;
    ELSE
        DELETE FROM solar.building_result WHERE building_id = OLD.id;
    END IF;
    RETURN OLD;
END
$$;
CREATE TRIGGER run_delete_results AFTER DELETE ON solar.run
    FOR EACH ROW EXECUTE FUNCTION solar.delete_results_of();
CREATE TRIGGER building_delete_solar_results AFTER DELETE ON region.building
    FOR EACH ROW EXECUTE FUNCTION solar.delete_results_of();
