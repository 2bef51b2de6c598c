-- Rooftop solar computation (issue 5): runs with their provenance, the tile job queue, and per-run results.

CREATE TABLE solar.run (
    id                  bigserial PRIMARY KEY,
    status              text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'complete', 'failed', 'cancelled')),
    model_version       text NOT NULL,              -- git describe of the code that computed it
    parameters          jsonb NOT NULL,             -- every parameter in force, with its source (config/solar-defaults.json)
    area                jsonb NOT NULL,             -- what was asked: {"commune": "93066"} or {"bboxLambert93": [...]}
    station_id          bigint REFERENCES weather.station (id),
    ingest_run_ids      bigint[] NOT NULL DEFAULT '{}',  -- the loads whose buildings this run read
    tile_size_m         double precision NOT NULL,
    building_count      integer NOT NULL DEFAULT 0,
    created_at          timestamptz NOT NULL DEFAULT now(),
    finished_at         timestamptz,
    timings             jsonb NOT NULL DEFAULT '{}'
);
COMMENT ON TABLE solar.run IS 'One solar computation: its provenance. The API serves the latest complete run of each building.';

CREATE TABLE solar.job (
    id              bigserial PRIMARY KEY,
    run_id          bigint NOT NULL REFERENCES solar.run (id) ON DELETE CASCADE,
    tile_key        text NOT NULL,                       -- "col_row" on the run's tile grid
    tile            geometry(Polygon, 2154) NOT NULL,    -- buildings whose centroid falls inside belong to this job
    building_count  integer NOT NULL,
    building_ids    bigint[] NOT NULL,                   -- the run's buildings in this tile (decided when the run is made)
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    worker          text,
    lease_until     timestamptz,                         -- a running job whose lease ran out is taken again
    started_at      timestamptz,
    finished_at     timestamptz,
    duration_s      double precision,
    error           text,
    UNIQUE (run_id, tile_key)
);
CREATE INDEX job_claim_idx ON solar.job (run_id, status, lease_until);

CREATE TABLE solar.building_result (
    run_id                       bigint NOT NULL REFERENCES solar.run (id) ON DELETE CASCADE,
    building_id                  bigint NOT NULL REFERENCES region.building (id) ON DELETE CASCADE,
    status                       text NOT NULL CHECK (status IN ('ok', 'skipped', 'failed')),
    reason                       text,
    roof_origin                  text,                 -- lod2 | inferred | mixed
    centre                       geometry(Point, 2154) NOT NULL,
    roof_area_m2                 double precision,
    usable_area_m2               double precision,
    mean_irradiation_kwh_per_m2  double precision,
    panel_count                  integer,
    installable_kwp              double precision,
    annual_kwh_ac                double precision,
    monthly_kwh_ac               real[],
    configurations               jsonb,
    finance                      jsonb,
    co2_avoided_kg_per_year      double precision,
    uncertainty                  jsonb,
    station_distance_km          double precision,
    PRIMARY KEY (run_id, building_id)
);
CREATE INDEX building_result_building_idx ON solar.building_result (building_id, run_id DESC);

CREATE TABLE solar.face_result (
    run_id                         bigint NOT NULL,
    building_id                    bigint NOT NULL,
    face_no                        integer NOT NULL,
    polygon                        geometry(PolygonZ, 2154) NOT NULL,
    origin                         text NOT NULL CHECK (origin IN ('lod2', 'inferred')),
    tilt_deg                       double precision NOT NULL,
    azimuth_deg                    double precision NOT NULL,
    area_m2                        double precision NOT NULL,
    usable_area_m2                 double precision NOT NULL,
    annual_irradiation_kwh_per_m2  double precision NOT NULL,
    quantiles_kwh_per_m2           real[] NOT NULL,       -- 11 values: 0, 10, …, 100 % of the face's samples
    shading_loss_fraction          double precision NOT NULL,
    suitability_class              smallint NOT NULL,
    panel_count                    integer NOT NULL,
    installable_kwp                double precision NOT NULL,
    annual_kwh_ac                  double precision NOT NULL,
    monthly_kwh_ac                 real[] NOT NULL,
    samples                        geometry(MultiPointZ, 2154),  -- the sample grid, for the 3D viewer
    sample_kwh_per_m2              real[],
    panels                         geometry(MultiPolygonZ, 2154),
    panel_kwh_ac                   real[],
    panel_portrait                 boolean,
    PRIMARY KEY (run_id, building_id, face_no),
    FOREIGN KEY (run_id, building_id) REFERENCES solar.building_result (run_id, building_id) ON DELETE CASCADE
);
CREATE INDEX face_result_polygon_gix ON solar.face_result USING gist (polygon);

-- The result the API serves for each building: its latest complete run.
CREATE VIEW solar.building_latest AS
    SELECT DISTINCT ON (br.building_id) br.*
    FROM solar.building_result br
    JOIN solar.run r ON r.id = br.run_id AND r.status = 'complete'
    ORDER BY br.building_id, br.run_id DESC;
