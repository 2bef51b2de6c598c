-- Property 2 (existence never leaks): a dataset id is unique within its organisation and among public datasets, not
-- across the platform. Creating "arbres" answers the same whether or not another organisation has a private or
-- restricted "arbres" (a global UNIQUE answered 409 for it, telling that the hidden dataset exists). A caller who can see
-- several datasets with one id reads its own organisation's first, then the public one, then one granted to it.
ALTER TABLE catalog.dataset DROP CONSTRAINT dataset_slug_key;
CREATE UNIQUE INDEX dataset_owner_slug ON catalog.dataset (owner_org_id, slug);
CREATE UNIQUE INDEX dataset_public_slug ON catalog.dataset (slug) WHERE visibility = 'public';
CREATE INDEX dataset_slug ON catalog.dataset (slug);
