-- Catalogue: organisations, users, memberships, API keys, datasets (DCAT-AP 3), versions, grants, access log, jobs.
CREATE EXTENSION IF NOT EXISTS unaccent;

-- unaccent() is STABLE (it reads a dictionary); index expressions and generated columns need IMMUTABLE, and the
-- dictionary never changes under us, so this wrapper names it explicitly and declares itself immutable.
CREATE OR REPLACE FUNCTION catalog.immutable_unaccent(value text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, value) $$;

CREATE TABLE catalog.organisation (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug        text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    kind        text NOT NULL CHECK (kind IN ('public_agency', 'company', 'association', 'university', 'platform')),
    homepage    text,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE catalog.app_user (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email              text NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
    display_name       text NOT NULL,
    -- ASP.NET Core Identity PasswordHasher v3 format (PBKDF2); null = cannot sign in with a password.
    password_hash      text,
    is_platform_admin  boolean NOT NULL DEFAULT false,
    created_at         timestamptz NOT NULL DEFAULT now(),
    disabled_at        timestamptz
);
CREATE UNIQUE INDEX app_user_email ON catalog.app_user (email);

CREATE TABLE catalog.membership (
    user_id     bigint NOT NULL REFERENCES catalog.app_user (id) ON DELETE CASCADE,
    org_id      bigint NOT NULL REFERENCES catalog.organisation (id) ON DELETE CASCADE,
    role        text NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, org_id)
);
CREATE INDEX membership_org ON catalog.membership (org_id);

CREATE TABLE catalog.api_key (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The first characters of the key, shown in listings so a person can tell keys apart; never enough to use it.
    prefix        text NOT NULL UNIQUE,
    hash_sha256   bytea NOT NULL UNIQUE CHECK (length(hash_sha256) = 32),
    user_id       bigint NOT NULL REFERENCES catalog.app_user (id) ON DELETE CASCADE,
    -- The organisation the key acts for; the user's role there is read at each use, so leaving the org disarms the key.
    org_id        bigint NOT NULL REFERENCES catalog.organisation (id) ON DELETE CASCADE,
    name          text NOT NULL,
    scopes        text[] NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['read', 'publish', 'admin']),
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz,
    revoked_at    timestamptz,
    revoked_by    bigint REFERENCES catalog.app_user (id),
    last_used_at  timestamptz
);
CREATE INDEX api_key_user ON catalog.api_key (user_id);
CREATE INDEX api_key_org ON catalog.api_key (org_id);

CREATE TABLE catalog.dataset (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug                text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,99}$'),
    owner_org_id        bigint NOT NULL REFERENCES catalog.organisation (id),
    title               text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    description_md      text NOT NULL DEFAULT '',
    contact_name        text,
    contact_email       text,
    licence_id          text NOT NULL,
    licence_uri         text NOT NULL,
    keywords            text[] NOT NULL DEFAULT '{}',
    -- EU data-theme vocabulary codes (AGRI, ECON, EDUC, ENER, ENVI, GOVE, HEAL, INTR, JUST, REGI, SOCI, TECH, TRAN).
    themes              text[] NOT NULL DEFAULT '{}',
    -- WGS84 west, south, east, north.
    spatial_bbox_wgs84  double precision[] CHECK (spatial_bbox_wgs84 IS NULL OR cardinality(spatial_bbox_wgs84) = 4),
    spatial_communes    text[] NOT NULL DEFAULT '{}',
    temporal_start      date,
    temporal_end        date,
    -- EU frequency vocabulary code (DAILY, WEEKLY, MONTHLY, ANNUAL, IRREG, UNKNOWN, …).
    update_frequency    text,
    landing_page        text,
    visibility          text NOT NULL CHECK (visibility IN ('public', 'restricted', 'private')),
    current_version_id  bigint,
    created_by          bigint REFERENCES catalog.app_user (id),
    created_at          timestamptz NOT NULL DEFAULT now(),
    modified_at         timestamptz NOT NULL DEFAULT now(),
    search_document     tsvector NOT NULL DEFAULT ''::tsvector
);
CREATE INDEX dataset_owner ON catalog.dataset (owner_org_id);
CREATE INDEX dataset_search ON catalog.dataset USING gin (search_document);

-- French and English stemming over accent-free text; title weighs most, then keywords, then the description.
CREATE FUNCTION catalog.dataset_search_document() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_document :=
        setweight(to_tsvector('french', catalog.immutable_unaccent(NEW.title)), 'A') ||
        setweight(to_tsvector('english', catalog.immutable_unaccent(NEW.title)), 'A') ||
        setweight(to_tsvector('french', catalog.immutable_unaccent(array_to_string(NEW.keywords, ' '))), 'B') ||
        setweight(to_tsvector('english', catalog.immutable_unaccent(array_to_string(NEW.keywords, ' '))), 'B') ||
        setweight(to_tsvector('french', catalog.immutable_unaccent(NEW.description_md)), 'C') ||
        setweight(to_tsvector('english', catalog.immutable_unaccent(NEW.description_md)), 'C');
    RETURN NEW;
END $$;
CREATE TRIGGER dataset_search_document BEFORE INSERT OR UPDATE OF title, keywords, description_md ON catalog.dataset
    FOR EACH ROW EXECUTE FUNCTION catalog.dataset_search_document();

CREATE TABLE catalog.dataset_version (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dataset_id         bigint NOT NULL REFERENCES catalog.dataset (id) ON DELETE CASCADE,
    number             int NOT NULL,
    -- queued → processing → ready | failed; ready → published → superseded (and back to published on rollback).
    status             text NOT NULL CHECK (status IN ('queued', 'processing', 'ready', 'failed', 'published', 'superseded')),
    format             text NOT NULL CHECK (format IN ('csv', 'geojson', 'gpkg', 'parquet')),
    file_name          text NOT NULL,
    byte_count         bigint NOT NULL,
    checksum_sha256    text NOT NULL,
    options            jsonb NOT NULL DEFAULT '{}',
    schema_json        jsonb,
    report_json        jsonb,
    row_count          bigint,
    bbox_wgs84         double precision[],
    records_table      text,
    has_geometry       boolean NOT NULL DEFAULT false,
    error              text,
    created_by         bigint REFERENCES catalog.app_user (id),
    created_at         timestamptz NOT NULL DEFAULT now(),
    processed_at       timestamptz,
    published_by       bigint REFERENCES catalog.app_user (id),
    published_at       timestamptz,
    UNIQUE (dataset_id, number)
);

ALTER TABLE catalog.dataset
    ADD CONSTRAINT dataset_current_version FOREIGN KEY (current_version_id) REFERENCES catalog.dataset_version (id);

CREATE TABLE catalog.dataset_grant (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dataset_id      bigint NOT NULL REFERENCES catalog.dataset (id) ON DELETE CASCADE,
    grantee_org_id  bigint NOT NULL REFERENCES catalog.organisation (id) ON DELETE CASCADE,
    purpose         text NOT NULL CHECK (length(purpose) BETWEEN 1 AND 2000),
    expires_at      timestamptz NOT NULL,
    -- null = every field; else only these field names.
    fields          text[],
    -- null = every row; else a JSON object {"field": "value", …}: rows where every field equals its value (as text).
    row_filter      jsonb CHECK (row_filter IS NULL OR jsonb_typeof(row_filter) = 'object'),
    created_by      bigint REFERENCES catalog.app_user (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    revoked_at      timestamptz
);
CREATE INDEX dataset_grant_lookup ON catalog.dataset_grant (dataset_id, grantee_org_id);

CREATE TABLE catalog.access_log (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dataset_id     bigint NOT NULL REFERENCES catalog.dataset (id) ON DELETE CASCADE,
    at             timestamptz NOT NULL DEFAULT now(),
    org_id         bigint REFERENCES catalog.organisation (id) ON DELETE SET NULL,
    user_id        bigint REFERENCES catalog.app_user (id) ON DELETE SET NULL,
    api_key_id     bigint REFERENCES catalog.api_key (id) ON DELETE SET NULL,
    endpoint       text NOT NULL,
    rows_returned  bigint
);
CREATE INDEX access_log_dataset ON catalog.access_log (dataset_id, at DESC);

-- Background work of the catalogue (upload ingestion), taken with FOR UPDATE SKIP LOCKED by any number of workers.
CREATE TABLE catalog.job (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('ingest')),
    version_id   bigint NOT NULL REFERENCES catalog.dataset_version (id) ON DELETE CASCADE,
    status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts     int NOT NULL DEFAULT 0,
    locked_by    text,
    locked_at    timestamptz,
    error        text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz
);
CREATE INDEX job_queued ON catalog.job (id) WHERE status = 'queued';
