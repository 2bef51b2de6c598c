-- 3D Tiles of the region's buildings (issue 15): built from the latest complete solar result of each building, stored here
-- with their ETags, and switched atomically: a tileset is served once it is 'ready'; the one before it is kept so that a
-- viewer still streaming it finishes, older ones are deleted.

CREATE SCHEMA IF NOT EXISTS tiles3d;

CREATE TABLE tiles3d.tileset (
    id                  bigserial PRIMARY KEY,
    status              text NOT NULL DEFAULT 'building' CHECK (status IN ('building', 'ready', 'failed')),
    source_run_id       bigint,                 -- the latest complete solar run when the build started (null: none)
    options             jsonb NOT NULL,         -- geoid undulation, buildings per tile, …
    building_count      integer,
    tile_count          integer,
    content_bytes       bigint,
    tileset_json        text,                   -- written when the last tile is stored
    etag                text,
    error               text,
    started_at          timestamptz NOT NULL DEFAULT now(),
    finished_at         timestamptz,
    duration_s          double precision
);
COMMENT ON TABLE tiles3d.tileset IS 'One build of the buildings'' 3D Tiles; the newest ready one is served at /api/v1/3dtiles/buildings/tileset.json.';

CREATE TABLE tiles3d.tile (
    tileset_id      bigint NOT NULL REFERENCES tiles3d.tileset (id) ON DELETE CASCADE,
    key             text NOT NULL,              -- quadtree address: r, r0, r03, …
    content         bytea NOT NULL,             -- GLB
    etag            text NOT NULL,
    building_count  integer NOT NULL,
    PRIMARY KEY (tileset_id, key)
);
-- GLB is already dense binary: storing it uncompressed saves the compression attempt on write and the decompression on read.
ALTER TABLE tiles3d.tile ALTER COLUMN content SET STORAGE EXTERNAL;
