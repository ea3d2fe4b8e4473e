-- The risk service's read models, written in the same transaction as what they come
-- from and rebuildable: `case_access` from cases' events (`rebuild cases`), and
-- `risk_summary` from risk's own event store (`rebuild-read-model`).

-- What risk knows of each case from cases' events: whether it opened, is open, and who
-- may see it (hearth.eventstore.case_access). No personal data: the people on the case
-- are kept as their ids and staff ids only, survivor first.
CREATE TABLE {schema}.case_access (
    case_id               uuid PRIMARY KEY,
    opened_at             timestamptz NOT NULL,
    open                  boolean NOT NULL,
    restriction           jsonb,
    people                jsonb NOT NULL,
    visible_to_everyone   boolean NOT NULL,
    visible_to            text[] NOT NULL,
    hidden_from           text[] NOT NULL
);

-- One row per case with a risk record: its current level and when reassessment is due.
CREATE TABLE {schema}.risk_summary (
    case_id               uuid PRIMARY KEY,
    version               integer NOT NULL,
    risk_level            text CHECK (risk_level IN ('standard', 'medium', 'high')),
    level_as_of           timestamptz,
    assessments           integer NOT NULL,
    last_completed_at     timestamptz,
    reassessment_due_at   timestamptz,
    declines              integer NOT NULL,
    assessed_elsewhere    integer NOT NULL,
    updated_at            timestamptz NOT NULL
);
CREATE INDEX risk_summary_level ON {schema}.risk_summary (risk_level);
