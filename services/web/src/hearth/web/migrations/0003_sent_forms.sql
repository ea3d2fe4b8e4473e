-- Forms sent to a service: a second submit of the same form (a double click, a resend,
-- another replica) is not a second command. Only the form's token, the session id's
-- SHA-256, a SHA-256 of the body as sent and where to go next are kept: never a value
-- from the form. Rows end after a day (deleted as new ones are claimed).
CREATE TABLE IF NOT EXISTS {schema}.sent_forms (
    session_hash bytea NOT NULL,
    token        uuid NOT NULL,
    body_hash    bytea NOT NULL,
    state        text NOT NULL CHECK (state IN ('sending', 'sent')),
    redirect_to  text,                     -- the case page (ids only), once sent
    flash        text,                     -- the form's own fixed words, once sent
    claimed_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (session_hash, token)
);
CREATE INDEX IF NOT EXISTS sent_forms_expires ON {schema}.sent_forms (expires_at);
