-- A job whose worker keeps dying (a file that crashes the process, a machine that runs out of memory) must not be
-- retried forever: each lease that runs out counts as a crash, and after the limit the job fails with the reason.
ALTER TABLE catalog.job ADD COLUMN crash_count int NOT NULL DEFAULT 0;
ALTER TABLE catalog.job ADD COLUMN last_error text;
