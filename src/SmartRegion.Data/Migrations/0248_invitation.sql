-- Invitations (issue 18): an organisation's admin invites a person by e-mail with a role; the link it gets (a random token,
-- of which only the SHA-256 is kept) followed by a sign-in through an identity provider links that identity to the person
-- (made when the e-mail has no account yet) and makes them a member with that role. Single use: once used, the identity
-- that used it is recorded and any other is refused; an invitation past expires_at, or revoked, is refused too.
CREATE TABLE catalog.invitation (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id          bigint NOT NULL REFERENCES catalog.organisation (id) ON DELETE CASCADE,
    email           text NOT NULL CHECK (email = lower(btrim(email)) AND position('@' IN email) > 1),
    role            text NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    token_sha256    bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
    created_by      bigint REFERENCES catalog.app_user (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz,
    used_at         timestamptz,
    used_by         bigint REFERENCES catalog.app_user (id) ON DELETE SET NULL,
    used_provider   text,
    used_issuer     text,
    used_subject    text,
    CHECK (expires_at > created_at),
    CHECK ((used_at IS NULL) = (used_issuer IS NULL) AND (used_at IS NULL) = (used_subject IS NULL))
);
CREATE INDEX invitation_by_org ON catalog.invitation (org_id, created_at DESC);
