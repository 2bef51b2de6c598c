-- The region's solar barometer (issue 17): the solar results summed by commune, département and region, stored after
-- each solar run (and on demand) so that pages and the open dataset read them without recomputing. A refresh replaces
-- every row in one transaction: readers see the previous refresh or the new one, never a mix.
CREATE SCHEMA IF NOT EXISTS barometer;
COMMENT ON SCHEMA barometer IS 'Solar potential summed by commune, département and region (refreshed after each solar run).';

CREATE TABLE barometer.refresh (
    id               bigserial PRIMARY KEY,
    refreshed_at     timestamptz NOT NULL DEFAULT now(),
    parameters       jsonb NOT NULL,               -- the assumptions in force (consumption per dwelling, installations dataset), with sources
    runs             jsonb NOT NULL DEFAULT '[]',  -- the solar runs whose results are counted: id, model version, completion, buildings
    duration_ms      double precision,
    dataset_version_id bigint REFERENCES catalog.dataset_version (id) ON DELETE SET NULL  -- the open dataset's version it published
);
COMMENT ON TABLE barometer.refresh IS 'One computation of the aggregates: when, with which assumptions, from which solar runs.';

CREATE TABLE barometer.area (
    refresh_id                   bigint NOT NULL REFERENCES barometer.refresh (id) ON DELETE CASCADE,
    level                        text NOT NULL CHECK (level IN ('region', 'departement', 'commune')),
    code                         text NOT NULL,   -- INSEE code ('' for the region when no region boundary is loaded)
    name                         text,
    departement_code             text,            -- a commune's département (its own code for a département)
    buildings                    integer NOT NULL, -- current buildings with a solar result, whatever its status
    buildings_ok                 integer NOT NULL,
    buildings_skipped            integer NOT NULL,
    buildings_failed             integer NOT NULL,
    roof_area_m2                 double precision NOT NULL,
    usable_area_m2               double precision NOT NULL,
    mean_irradiation_kwh_per_m2  double precision,  -- weighted by roof area, over the buildings computed
    buildings_by_class           integer[] NOT NULL, -- [k] = buildings computed whose best face is in suitability class k
    roof_area_by_class_m2        double precision[] NOT NULL, -- [k] = roof face area in suitability class k
    installable_mwp              double precision NOT NULL,
    potential_gwh_per_year       double precision NOT NULL,
    co2_avoidable_t_per_year     double precision NOT NULL,
    dwellings                    bigint NOT NULL,   -- dwellings of these buildings (BD TOPO nombre_de_logements)
    buildings_with_dwelling_count integer NOT NULL,
    residential_use_gwh_per_year double precision,  -- estimate: dwellings × consumption per dwelling (refresh parameters)
    installations                integer,           -- from the published installations dataset, when there is one
    installed_mwp                double precision,
    runs                         bigint[] NOT NULL, -- the solar runs these buildings' results come from
    PRIMARY KEY (level, code)
);
CREATE INDEX area_departement_idx ON barometer.area (departement_code);
COMMENT ON TABLE barometer.area IS 'The latest refresh''s aggregates: one row for the region, each département and each commune with results.';

-- The commune of a building, as the published building results name it: the commune (or municipal arrondissement, which
-- wins) whose boundary holds the building's centre, else the commune of the nearest address within 30 m.
CREATE FUNCTION barometer.commune_of(centre geometry, footprint geometry)
RETURNS TABLE (code text, name text) LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce(c.code, a.commune_code), coalesce(c.name, a.commune_name)
    FROM (SELECT 1) one
    LEFT JOIN LATERAL (
        SELECT x.code, x.name FROM region.boundary x
        WHERE x.level IN ('commune', 'arrondissement') AND ST_Intersects(x.geometry, centre)
        ORDER BY x.level = 'arrondissement' DESC LIMIT 1) c ON true
    LEFT JOIN LATERAL (
        SELECT x.commune_code, x.commune_name FROM region.address x
        WHERE c.code IS NULL AND ST_DWithin(x.point, footprint, 30)
        ORDER BY ST_Distance(x.point, footprint), x.number NULLS LAST LIMIT 1) a ON true
$$;

-- The département of a commune code by the INSEE rule (2 characters; 3 overseas, 97x); null when the code names none
-- (99xxx are foreign countries, 00 and 96 do not exist, 20 became 2A/2B).
CREATE FUNCTION barometer.departement_of_code(code text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN code ~ '^97[1-8][0-9]{2}$' THEN left(code, 3)
        WHEN code ~ '^(2A|2B|[0-9]{2})[0-9]{3}$' AND left(code, 2) NOT IN ('00', '20', '96', '97', '98', '99') THEN left(code, 2)
    END
$$;

-- 'solar-aggregate': a version made by the barometer from solar results (its provenance lists the runs). Appended to
-- whatever formats earlier migrations allow, so this migration keeps theirs.
DO $$
DECLARE
    formats text;
BEGIN
    SELECT string_agg(quote_literal(f), ', ' ORDER BY f) INTO formats
    FROM (SELECT DISTINCT unnest(regexp_matches(pg_get_constraintdef(c.oid), '''([^'']+)''', 'g')) AS f
          FROM pg_constraint c
          WHERE c.conrelid = 'catalog.dataset_version'::regclass AND c.conname = 'dataset_version_format_check'
          UNION SELECT 'solar-aggregate') x;
    ALTER TABLE catalog.dataset_version DROP CONSTRAINT dataset_version_format_check;
    EXECUTE format('ALTER TABLE catalog.dataset_version ADD CONSTRAINT dataset_version_format_check CHECK (format IN (%s))', formats);
END $$;
