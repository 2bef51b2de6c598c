-- Server-side sign-in sessions: the browser holds a random token, the database its SHA-256 and everything else, so a
-- logout, a password change or an admin's "sign out everywhere" ends a session at once, on every host.
CREATE TABLE catalog.session (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_sha256   bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
    user_id        bigint NOT NULL REFERENCES catalog.app_user (id) ON DELETE CASCADE,
    -- Sent back in the X-CSRF-Token header on every state-changing call made with the session.
    csrf_token     text NOT NULL,
    -- How the person signed in: 'password', or 'oidc:<provider>'.
    method         text NOT NULL,
    client_ip      text,
    user_agent     text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_seen_at   timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    revoked_at     timestamptz,
    -- logout | password_changed | signed_out_everywhere | signed_out_by_admin | replaced
    revoked_reason text
);
CREATE INDEX session_live_by_user ON catalog.session (user_id) WHERE revoked_at IS NULL;

-- Failed sign-ins, per account (the e-mail as typed, normalised, whether or not it exists) and per client address:
-- the throttle counts them over a sliding window. Rows older than the window are deleted as new ones arrive.
CREATE TABLE catalog.sign_in_failure (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at       timestamptz NOT NULL DEFAULT now(),
    account  text NOT NULL,
    client   text NOT NULL
);
CREATE INDEX sign_in_failure_account ON catalog.sign_in_failure (account, at);
CREATE INDEX sign_in_failure_client ON catalog.sign_in_failure (client, at);
