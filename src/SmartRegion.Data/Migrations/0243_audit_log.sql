-- The audit trail: every change of who may see what (visibility, grants, keys, members and roles), sign-ins (successes
-- and failures), server-file imports, publications and rollbacks. Kept apart from the read access log.
--
-- Append-only, and tamper-evident: entries form one hash chain per organisation (chain 0: the platform's own events).
-- Each entry stores the hash of the previous entry of its chain and its own hash, SHA-256 of the UTF-8 text
--   prev_hash_hex|seq|at|chain|actor|action|target|client_ip|details
-- (at as YYYY-MM-DDTHH:MI:SS.ffffffZ in UTC, absent values as empty text), so an organisation can check its export
-- offline and `./smartregion audit verify` checks every chain. Updates and deletes are refused.
CREATE TABLE catalog.audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    chain       bigint NOT NULL,
    seq         bigint NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    -- Who: "user:<email>", "key:<prefix>" (with its user), "cli", or "anonymous".
    actor       text NOT NULL,
    actor_user_id bigint,
    action      text NOT NULL CHECK (action ~ '^[a-z_]+\.[a-z_]+$'),
    -- What it concerns: "dataset:<slug>", "grant:<id>", "key:<prefix>", "user:<email>", "session:<id>"…
    target      text NOT NULL,
    client_ip   text,
    -- Canonical JSON written by the platform, stored as text so the hashed bytes are the stored bytes.
    details     text NOT NULL DEFAULT '{}',
    prev_hash   bytea NOT NULL CHECK (length(prev_hash) = 32),
    hash        bytea NOT NULL UNIQUE CHECK (length(hash) = 32),
    UNIQUE (chain, seq)
);

CREATE FUNCTION catalog.audit_text(prev bytea, seq bigint, at timestamptz, chain bigint, actor text, action text, target text,
    client_ip text, details text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT concat_ws('|', encode(prev, 'hex'), seq::text, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                     chain::text, actor, action, target, coalesce(client_ip, ''), details)
$$;

CREATE FUNCTION catalog.audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    last_seq bigint;
    last_hash bytea;
BEGIN
    -- One writer per chain at a time, so sequence numbers and links never fork.
    PERFORM pg_advisory_xact_lock(7417001, (NEW.chain % 2147483647)::int);
    SELECT a.seq, a.hash INTO last_seq, last_hash FROM catalog.audit_log a WHERE a.chain = NEW.chain ORDER BY a.seq DESC LIMIT 1;
    NEW.seq := coalesce(last_seq, 0) + 1;
    NEW.prev_hash := coalesce(last_hash, decode(repeat('00', 32), 'hex'));
    NEW.at := date_trunc('microseconds', clock_timestamp());
    NEW.hash := sha256(convert_to(catalog.audit_text(NEW.prev_hash, NEW.seq, NEW.at, NEW.chain, NEW.actor, NEW.action, NEW.target,
        NEW.client_ip, NEW.details), 'UTF8'));
    RETURN NEW;
END $$;
CREATE TRIGGER audit_chain BEFORE INSERT ON catalog.audit_log FOR EACH ROW EXECUTE FUNCTION catalog.audit_chain();

CREATE FUNCTION catalog.audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'catalog.audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON catalog.audit_log FOR EACH ROW EXECUTE FUNCTION catalog.audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON catalog.audit_log FOR EACH STATEMENT EXECUTE FUNCTION catalog.audit_append_only();

CREATE INDEX audit_log_chain_at ON catalog.audit_log (chain, id DESC);
