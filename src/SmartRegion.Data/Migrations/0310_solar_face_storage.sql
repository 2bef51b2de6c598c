-- solar.face_result, cheaper to write (issue 5, speed): a run writes tens of rows per second per worker, and PostgreSQL
-- spent about a quarter of its time compressing them with pglz, a tenth re-checking the face → building foreign key that
-- the writer guarantees by construction, and parsing one WKB point per sample.

-- 1. The sample grid instead of one 3D point per sample. Samples are the centres of a regular grid in the roof plane, so
--    [x0, y0, z0, ux, uy, uz, vx, vy, vz] (the centre of cell (0, 0) and one cell's step along the grid's two axes, EPSG:2154
--    metres and NGF-IGN69 altitudes) and each sample's (i, j) give them back: point = (x0, y0, z0) + i·u + j·v.
--    (i, j) are whole numbers except for a face narrower than the grid, whose single sample lies between grid centres.
--    solar.sample_points() rebuilds the MultiPointZ for maps and SQL users.
ALTER TABLE solar.face_result DROP COLUMN IF EXISTS samples;
ALTER TABLE solar.face_result ADD COLUMN sample_grid double precision[], ADD COLUMN sample_ij real[];
COMMENT ON COLUMN solar.face_result.sample_grid IS
    '[x0, y0, z0, ux, uy, uz, vx, vy, vz]: sample grid cell (0, 0) centre and one cell step along i and along j (EPSG:2154 m, NGF-IGN69 m)';
COMMENT ON COLUMN solar.face_result.sample_ij IS
    'Per sample, in the order of sample_kwh_per_m2: its grid coordinates i, j (point = grid origin + i·u + j·v)';

CREATE FUNCTION solar.sample_points(grid double precision[], ij real[]) RETURNS geometry(MultiPointZ, 2154)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT ST_SetSRID(ST_Collect(ST_MakePoint(
               grid[1] + ij[2 * k - 1] * grid[4] + ij[2 * k] * grid[7],
               grid[2] + ij[2 * k - 1] * grid[5] + ij[2 * k] * grid[8],
               grid[3] + ij[2 * k - 1] * grid[6] + ij[2 * k] * grid[9]) ORDER BY k), 2154)::geometry(MultiPointZ, 2154)
    FROM generate_series(1, coalesce(array_length(ij, 1), 0) / 2) AS k
    WHERE array_length(grid, 1) = 9
$$;
COMMENT ON FUNCTION solar.sample_points(double precision[], real[]) IS
    'The sample points of a solar.face_result row: solar.sample_points(sample_grid, sample_ij), in the order of sample_kwh_per_m2';

-- 2. The face → building reference: only SolarTileStore.CompleteAsync writes face rows, in the transaction that writes their
--    building rows just before; the per-row check is dropped, the cascade on delete kept as a trigger (deletes are rare).
ALTER TABLE solar.face_result DROP CONSTRAINT IF EXISTS face_result_run_id_building_id_fkey;
CREATE FUNCTION solar.delete_face_results() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM solar.face_result WHERE run_id = OLD.run_id AND building_id = OLD.building_id;
    RETURN OLD;
END
$$;
CREATE TRIGGER building_result_delete_faces AFTER DELETE ON solar.building_result
    FOR EACH ROW EXECUTE FUNCTION solar.delete_face_results();

-- 3. LZ4 instead of pglz for the large values (panel polygons, per-sample and per-panel arrays, JSON): several times
--    cheaper to compress. A server built without LZ4 keeps pglz.
DO $$
BEGIN
    ALTER TABLE solar.face_result
        ALTER COLUMN polygon SET COMPRESSION lz4,
        ALTER COLUMN panels SET COMPRESSION lz4,
        ALTER COLUMN panel_kwh_ac SET COMPRESSION lz4,
        ALTER COLUMN sample_kwh_per_m2 SET COMPRESSION lz4,
        ALTER COLUMN sample_ij SET COMPRESSION lz4;
    ALTER TABLE solar.building_result
        ALTER COLUMN configurations SET COMPRESSION lz4,
        ALTER COLUMN finance SET COMPRESSION lz4,
        ALTER COLUMN uncertainty SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
    RAISE NOTICE 'lz4 compression unavailable on this server: solar results keep pglz';
END
$$;
