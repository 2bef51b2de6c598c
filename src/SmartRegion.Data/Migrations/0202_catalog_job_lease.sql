-- A running ingestion job holds a lease its worker renews while it works: a job whose worker died (kill -9, lost
-- machine) is taken again as soon as the lease runs out, instead of after the 30 minutes locked_at allowed.
ALTER TABLE catalog.job ADD COLUMN lease_until timestamptz;
CREATE INDEX job_running_lease ON catalog.job (lease_until) WHERE status = 'running';
