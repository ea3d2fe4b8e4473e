-- Staff accounts (the local identity provider) and server-side sessions.
CREATE TABLE IF NOT EXISTS {schema}.accounts (
    staff_id      text PRIMARY KEY,
    role          text NOT NULL,
    password_hash text NOT NULL,           -- argon2id, PHC string
    disabled      boolean NOT NULL DEFAULT false,
    failed_sign_ins integer NOT NULL DEFAULT 0,
    locked_until  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Only the SHA-256 of a session id is kept: a copy of this table signs nobody in.
CREATE TABLE IF NOT EXISTS {schema}.sessions (
    id_hash      bytea PRIMARY KEY,
    staff_id     text NOT NULL,
    role         text NOT NULL,
    csrf_token   text NOT NULL,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL      -- the absolute end (sign-in + lifetime)
);
CREATE INDEX IF NOT EXISTS sessions_staff ON {schema}.sessions (staff_id);
CREATE INDEX IF NOT EXISTS sessions_expires ON {schema}.sessions (expires_at);
