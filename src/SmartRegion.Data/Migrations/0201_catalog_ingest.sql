-- Geometry conversion for uploads that reports a bad value as NULL instead of failing the whole load, so the
-- ingestion can list the offending rows in its validation report and reject only them.
CREATE FUNCTION catalog.try_geometry(value text, encoding text, source_srid int) RETURNS geometry
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    g geometry;
BEGIN
    IF value IS NULL OR value = '' THEN
        RETURN NULL;
    END IF;
    g := CASE encoding
        WHEN 'geojson' THEN ST_GeomFromGeoJSON(value)
        WHEN 'wkt' THEN ST_GeomFromText(value)
        WHEN 'wkb-hex' THEN ST_GeomFromWKB(decode(value, 'hex'))
    END;
    IF g IS NULL OR ST_IsEmpty(g) THEN
        RETURN NULL;
    END IF;
    g := ST_SetSRID(g, source_srid);
    IF source_srid <> 4326 THEN
        g := ST_Transform(g, 4326);
    END IF;
    RETURN g;
EXCEPTION WHEN OTHERS THEN
    RETURN NULL;
END $$;
