-- region.building rows are mostly geometry (the footprint and the source's 3D geometry) with the source attributes: a row
-- longer than 2 kB (one in twenty: large or detailed buildings) made every insert try pglz on its columns, a sixth of a bulk
-- load's server time for little gain (coordinates compress badly). Rows now stay inline up to a page (toast_tuple_target),
-- and what is still compressed (rows over 8 kB) uses lz4, several times faster than pglz, where the server has it.
ALTER TABLE region.building SET (toast_tuple_target = 8160);
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
        ALTER TABLE region.building
            ALTER COLUMN footprint SET COMPRESSION lz4,
            ALTER COLUMN geometry_3d SET COMPRESSION lz4,
            ALTER COLUMN attributes SET COMPRESSION lz4;
    END IF;
END
$$;
