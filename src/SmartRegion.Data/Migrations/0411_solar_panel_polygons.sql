-- Solar modules' polygons no longer stored (issue 14, speed): solar.face_result.panels (137 bytes of WKB a module, parsed
-- by PostGIS on every COPY) repeated what solar.building_result.panel_layout (0410) holds in 24. It is null for results
-- computed from now on; solar.panel_polygons(panel_layout, face_no) gives the same MultiPolygonZ, each corner computed as
-- the engine computes it (SmartRegion.Geo.Panels.PackedModules.Polygon). Results computed before keep their polygons.
COMMENT ON COLUMN solar.face_result.panels IS
    'The face''s modules, for results computed before migration 0411; since, null: solar.panel_polygons(building_result.panel_layout, face_no)';

CREATE FUNCTION solar.panel_polygons(layout double precision[], face integer) RETURNS geometry
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    a integer := 1;
    n integer;
    ox double precision; oy double precision; oz double precision;
    hx double precision; hy double precision; dx double precision; dy double precision; ct double precision; st double precision;
    w double precision; h double precision; rise double precision; u double precision; v double precision;
    outlines geometry[] := '{}';
BEGIN
    WHILE a + 16 <= coalesce(cardinality(layout), 0) LOOP
        n := layout[a + 1]::integer;
        IF layout[a] = face THEN
            ox := layout[a + 2]; oy := layout[a + 3]; oz := layout[a + 4];
            hx := layout[a + 7]; hy := layout[a + 8]; dx := layout[a + 9]; dy := layout[a + 10]; ct := layout[a + 11]; st := layout[a + 12];
            w := layout[a + 13]; h := layout[a + 14]; rise := layout[a + 15];
            -- FaceFrame.ToWorld(u, v) = (ox + u·hx − v·cos·dx, oy + u·hy − v·cos·dy, oz + v·sin), PackedModules.Polygon's corners.
            FOR i IN 0 .. n - 1 LOOP
                u := layout[a + 17 + 2 * i];
                v := layout[a + 18 + 2 * i];
                outlines := outlines || ST_MakePolygon(ST_MakeLine(ARRAY[
                    ST_MakePoint(ox + u * hx - v * ct * dx, oy + u * hy - v * ct * dy, oz + v * st + 0::double precision),
                    ST_MakePoint(ox + (u + w) * hx - v * ct * dx, oy + (u + w) * hy - v * ct * dy, oz + v * st + 0::double precision),
                    ST_MakePoint(ox + (u + w) * hx - (v + h) * ct * dx, oy + (u + w) * hy - (v + h) * ct * dy, oz + (v + h) * st + rise),
                    ST_MakePoint(ox + u * hx - (v + h) * ct * dx, oy + u * hy - (v + h) * ct * dy, oz + (v + h) * st + rise),
                    ST_MakePoint(ox + u * hx - v * ct * dx, oy + u * hy - v * ct * dy, oz + v * st + 0::double precision)]));
            END LOOP;
            RETURN ST_SetSRID(ST_Collect(outlines), 2154);
        END IF;
        a := a + 17 + 3 * n;
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION solar.panel_polygons(double precision[], integer) IS
    'The modules of face face_no of a solar.building_result row as a MultiPolygonZ: solar.panel_polygons(panel_layout, face_no), null when it has none';
