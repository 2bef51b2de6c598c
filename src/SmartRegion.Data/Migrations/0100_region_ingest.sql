-- Ingestion (issue 4): what the operator loads, and the record of every load.
-- Storage CRS is EPSG:2154 (Lambert-93); heights name their vertical datum.

CREATE TABLE region.ingest_run (
    id              bigserial PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('buildings', 'addresses', 'boundaries', 'weather')),
    source          text NOT NULL,
    file_name       text NOT NULL,
    file_sha256     text,
    file_size_bytes bigint,
    format          text,
    source_epsg     integer,
    options         jsonb NOT NULL DEFAULT '{}',
    status          text NOT NULL DEFAULT 'running'
                    CHECK (status IN ('running', 'succeeded', 'failed', 'dry_run', 'abandoned')),
    backend_pid     integer,                -- the loading session; a 'running' row without it alive was killed
    read_count      integer,
    accepted_count  integer,
    repaired_count  integer,
    rejected_count  integer,
    warning_count   integer,
    inserted_count  integer,
    updated_count   integer,
    unchanged_count integer,
    retired_count   integer,
    error           text,
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    duration_s      double precision
);
COMMENT ON TABLE region.ingest_run IS 'One row per ingest command: file, checksum, counts, timings, outcome.';

CREATE TABLE region.building (
    id                          bigserial PRIMARY KEY,
    source                      text NOT NULL,   -- bdtopo, osm, 3dbag, … (chosen with --source)
    source_id                   text NOT NULL,   -- the source's own id (BD TOPO cleabs, BAG identificatie, …)
    footprint                   geometry(MultiPolygon, 2154) NOT NULL,
    geometry_3d                 geometry(GeometryZ, 2154),   -- the source's 3D geometry; Z in altitude_datum
    altitude_datum              text,            -- vertical datum of every Z here and in roof_surface: NGF-IGN69, NAP, LN02, unknown
    height_above_ground_m       double precision CHECK (height_above_ground_m > 0),
    ground_altitude_ngfign69_m  double precision,
    roof_min_altitude_ngfign69_m double precision,
    roof_max_altitude_ngfign69_m double precision,
    storeys                     integer CHECK (storeys >= 0),
    roof_shape                  text,            -- flat, gabled, hipped, pitched, multiple, dome, other:<source value>
    usage                       text,
    attributes                  jsonb NOT NULL DEFAULT '{}',  -- every source attribute, verbatim
    ingest_run_id               bigint NOT NULL REFERENCES region.ingest_run (id),
    retired_run_id              bigint REFERENCES region.ingest_run (id),  -- set when a --replace-source run no longer had it
    updated_at                  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source, source_id)
);
CREATE INDEX building_footprint_gix ON region.building USING gist (footprint);
COMMENT ON TABLE region.building IS 'Buildings in EPSG:2154. Current ones: region.building_current (retired_run_id IS NULL).';

CREATE VIEW region.building_current AS
    SELECT * FROM region.building WHERE retired_run_id IS NULL;

CREATE TABLE region.roof_surface (
    id               bigserial PRIMARY KEY,
    building_id      bigint NOT NULL REFERENCES region.building (id) ON DELETE CASCADE,
    polygon          geometry(PolygonZ, 2154) NOT NULL,   -- Z in the building's altitude_datum
    tilt_deg         double precision NOT NULL CHECK (tilt_deg BETWEEN 0 AND 90),
    azimuth_deg      double precision CHECK (azimuth_deg >= 0 AND azimuth_deg < 360),  -- compass, null when flat
    area_m2          double precision NOT NULL CHECK (area_m2 >= 0),                  -- true (sloped) area
    origin           text NOT NULL CHECK (origin IN ('lod2', 'inferred')),
    ingest_run_id    bigint REFERENCES region.ingest_run (id)
);
CREATE INDEX roof_surface_building_idx ON region.roof_surface (building_id);
CREATE INDEX roof_surface_polygon_gix ON region.roof_surface USING gist (polygon);

CREATE TABLE region.address (
    id             bigserial PRIMARY KEY,
    source         text NOT NULL,
    source_id      text NOT NULL,
    label          text NOT NULL,          -- "12 Rue de la République 93200 Saint-Denis"
    number         integer,
    suffix         text,                   -- bis, ter, A…
    street         text,
    postcode       text,
    commune_code   text,                   -- INSEE code
    commune_name   text,
    point          geometry(Point, 2154) NOT NULL,
    search_label   text NOT NULL,          -- lower-case, unaccented, punctuation-free label (SmartRegion.Geo.Text.SearchText)
    search_street  text NOT NULL,
    attributes     jsonb NOT NULL DEFAULT '{}',
    ingest_run_id  bigint NOT NULL REFERENCES region.ingest_run (id),
    UNIQUE (source, source_id)
);
CREATE INDEX address_point_gix ON region.address USING gist (point);
CREATE INDEX address_search_label_trgm ON region.address USING gin (search_label gin_trgm_ops);
CREATE INDEX address_search_street_trgm ON region.address USING gin (search_street gin_trgm_ops);

CREATE TABLE region.boundary (
    id             bigserial PRIMARY KEY,
    level          text NOT NULL CHECK (level IN ('commune', 'arrondissement', 'departement', 'region')),
    code           text NOT NULL,          -- INSEE code
    name           text NOT NULL,
    geometry       geometry(MultiPolygon, 2154) NOT NULL,
    attributes     jsonb NOT NULL DEFAULT '{}',
    ingest_run_id  bigint NOT NULL REFERENCES region.ingest_run (id),
    UNIQUE (level, code)
);
CREATE INDEX boundary_geometry_gix ON region.boundary USING gist (geometry);

-- Weather: the readers live in SmartRegion.Solar (another branch); these tables are what they will fill.
CREATE TABLE weather.station (
    id               bigserial PRIMARY KEY,
    source           text NOT NULL,        -- pvgis, nsrdb, epw
    name             text NOT NULL,
    location_wgs84   geometry(Point, 4326) NOT NULL,  -- stations may lie outside the region (lon/lat)
    elevation_m      double precision,
    time_step_min    integer NOT NULL DEFAULT 60,
    timestamp_convention text,             -- start-of-hour, mid-hour, end-of-hour, as read from the file
    licence          text,
    attributes       jsonb NOT NULL DEFAULT '{}',
    ingest_run_id    bigint REFERENCES region.ingest_run (id),
    UNIQUE (source, name)
);
CREATE INDEX station_location_gix ON weather.station USING gist (location_wgs84);

CREATE TABLE weather.hourly (
    station_id          bigint NOT NULL REFERENCES weather.station (id) ON DELETE CASCADE,
    time_utc            timestamptz NOT NULL,
    ghi_w_per_m2        real,
    dni_w_per_m2        real,
    dhi_w_per_m2        real,
    air_temperature_c   real,
    wind_speed_m_per_s  real,
    PRIMARY KEY (station_id, time_utc)
);
