-- What a DAHA assessor and a Part 4 return need of the casework, as facts (no personal
-- data: the survivor's feedback keeps its answers, never its comments).

ALTER TABLE {schema}.closures ADD COLUMN approved_by text;
ALTER TABLE {schema}.closures ADD COLUMN feels_safer boolean;
ALTER TABLE {schema}.closures ADD COLUMN rating text;

-- Security work so the survivor can stay at home; sanctuary scheme or not.
CREATE TABLE {schema}.security_requests (
    request_id       uuid PRIMARY KEY,
    case_id          uuid NOT NULL,
    requested_at     timestamptz,
    sanctuary_scheme boolean,
    installed_at     timestamptz
);

-- Actions about an alleged perpetrator, and whether the survivor's wishes led them.
CREATE TABLE {schema}.perpetrator_actions (
    action_id        uuid PRIMARY KEY,
    case_id          uuid NOT NULL,
    taken_at         timestamptz NOT NULL,
    kind             text NOT NULL,
    wishes_recorded  boolean NOT NULL,
    survivor_agreed  boolean,
    override_reason  text
);

-- When the survivor's wishes and safe-contact arrangements were recorded, and reviews.
CREATE TABLE {schema}.wishes (
    wishes_id    uuid PRIMARY KEY,
    case_id      uuid NOT NULL,
    recorded_at  timestamptz NOT NULL
);
CREATE TABLE {schema}.safe_contact_records (
    event_id       uuid PRIMARY KEY,
    case_id        uuid NOT NULL,
    recorded_at    timestamptz NOT NULL,
    survivors_own  boolean
);
CREATE TABLE {schema}.reviews (
    review_id    uuid PRIMARY KEY,
    case_id      uuid NOT NULL,
    reviewed_at  timestamptz NOT NULL,
    outcome      text NOT NULL
);
