-- The API keeps the catalogue gate's answers in memory (SmartRegion.Data.Catalog.GateCache): every change to what the gate
-- reads — a dataset (visibility, owner, current version, metadata), a version, a grant, an organisation — notifies the
-- channel smartregion_gate in the changing transaction itself, whichever process writes (API, CLI, psql). PostgreSQL
-- delivers the notification at commit to every listening API host, which empties its cache; an aborted transaction
-- notifies nobody. One notification a statement (identical ones in a transaction are folded into one).
CREATE FUNCTION catalog.notify_gate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('smartregion_gate', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER gate_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON catalog.dataset
    FOR EACH STATEMENT EXECUTE FUNCTION catalog.notify_gate();
CREATE TRIGGER gate_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON catalog.dataset_version
    FOR EACH STATEMENT EXECUTE FUNCTION catalog.notify_gate();
CREATE TRIGGER gate_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON catalog.dataset_grant
    FOR EACH STATEMENT EXECUTE FUNCTION catalog.notify_gate();
CREATE TRIGGER gate_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON catalog.organisation
    FOR EACH STATEMENT EXECUTE FUNCTION catalog.notify_gate();
