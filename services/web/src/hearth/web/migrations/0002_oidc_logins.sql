-- OpenID Connect sign-ins under way: one row per state (its SHA-256), used once.
CREATE TABLE IF NOT EXISTS {schema}.oidc_logins (
    state_hash    bytea PRIMARY KEY,
    nonce         text NOT NULL,
    code_verifier text NOT NULL,
    next_path     text NOT NULL,
    created_at    timestamptz NOT NULL
);
