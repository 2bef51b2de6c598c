-- Who read, precisely: org_id is now the organisation through which the caller could read (its own, or the grantee
-- of the grant used); caller_org_ids every organisation the caller belonged to at the time, so a member of several
-- organisations or a platform admin is never logged as "no organisation"; platform_admin says whether the read
-- relied on that flag. outcome: 'started' while a download streams, then 'complete', 'cancelled' (the client
-- left halfway) or 'failed'; a read that leaves no row never happened.
ALTER TABLE catalog.access_log
    ADD COLUMN caller_org_ids bigint[] NOT NULL DEFAULT '{}',
    ADD COLUMN platform_admin boolean NOT NULL DEFAULT false,
    ADD COLUMN outcome text NOT NULL DEFAULT 'complete' CHECK (outcome IN ('started', 'complete', 'cancelled', 'failed'));
