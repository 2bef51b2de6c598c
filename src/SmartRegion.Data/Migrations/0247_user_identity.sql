-- Sign-in through an identity federation (issue 18): an OpenID Connect identity (its issuer and subject, the stable pair
-- the provider gives) linked to a person of the platform, and how it was linked: by a verified e-mail of one of the
-- provider's domains, or by an invitation. A person may hold several identities; an identity belongs to one person.
CREATE TABLE catalog.user_identity (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         bigint NOT NULL REFERENCES catalog.app_user (id) ON DELETE CASCADE,
    provider        text NOT NULL,
    issuer          text NOT NULL,
    subject         text NOT NULL,
    email           text,
    linked_by       text NOT NULL CHECK (linked_by IN ('verified_email', 'invitation')),
    linked_at       timestamptz NOT NULL DEFAULT now(),
    last_sign_in_at timestamptz,
    UNIQUE (issuer, subject)
);
CREATE INDEX user_identity_user ON catalog.user_identity (user_id);
