-- Intake's own tables. {schema} is replaced with the service's schema name.
-- None of them holds personal data in plain text: the match index keeps keyed hashes.

-- Client-supplied idempotency keys, written in the same transaction as the report they
-- produced; the primary key makes concurrent retries with one key wait for each other.
CREATE TABLE IF NOT EXISTS {schema}.idempotency_keys (
    scope        text        NOT NULL,  -- who used the key, for which endpoint
    key          text        NOT NULL,
    request_hash text        NOT NULL,  -- keyed hash of the request, to spot a changed body
    status_code  integer     NOT NULL,
    response     jsonb       NOT NULL,  -- ids only, never what was reported
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (scope, key)
);

-- The match index: HMAC-SHA256 digests of normalised identifiers -> case and role.
CREATE TABLE IF NOT EXISTS {schema}.match_keys (
    digest      text        NOT NULL,
    role        text        NOT NULL CHECK (role IN ('survivor', 'alleged_perpetrator', 'household')),
    case_id     uuid        NOT NULL,
    person_id   uuid,
    source      text        NOT NULL CHECK (source IN ('intake', 'cases')),
    recorded_at timestamptz NOT NULL,
    PRIMARY KEY (digest, role, case_id)
);
CREATE INDEX IF NOT EXISTS match_keys_case ON {schema}.match_keys (case_id);

-- Cases intake assigned to reports: open from that moment.
CREATE TABLE IF NOT EXISTS {schema}.assigned_cases (
    case_id     uuid        PRIMARY KEY,
    report_id   uuid        NOT NULL,
    assigned_at timestamptz NOT NULL
);

-- What the cases and referrals services said about a case since (a projection).
CREATE TABLE IF NOT EXISTS {schema}.case_lifecycle (
    case_id       uuid        PRIMARY KEY,
    opened_at     timestamptz,
    closed_at     timestamptz,
    reopened_at   timestamptz,
    last_marac_at timestamptz
);
