-- The cases service's read models, written in the same transaction as each append and
-- rebuildable from the event store (hearth.cases.read_model.rebuild).

-- One row per case: what the caseworkers' list and the access checks need. No personal data.
CREATE TABLE {schema}.case_summary (
    case_id               uuid PRIMARY KEY,
    version               integer NOT NULL,
    status                text NOT NULL CHECK (status IN ('open', 'closed')),
    episode               integer NOT NULL,
    reported_at           timestamptz NOT NULL,
    opened_at             timestamptz NOT NULL,
    closed_at             timestamptz,
    channel               text NOT NULL,
    immediate_danger      boolean NOT NULL,
    repeat                boolean NOT NULL,
    closure_requested     boolean NOT NULL,
    case_manager_id       text,
    preferred_gender      text,
    preference_met        boolean,
    restricted            boolean NOT NULL,
    permitted_staff_ids   text[] NOT NULL,
    involved_staff_ids    text[] NOT NULL,
    timescale_policy      text NOT NULL,
    updated_at            timestamptz NOT NULL
);
CREATE INDEX case_summary_case_manager ON {schema}.case_summary (case_manager_id, status);
CREATE INDEX case_summary_opened ON {schema}.case_summary (opened_at);

-- Every deadline of every case: the scheduler's work list and the list's overdue column.
CREATE TABLE {schema}.deadlines (
    case_id               uuid NOT NULL,
    kind                  text NOT NULL
                          CHECK (kind IN ('contact', 'dash', 'emergency_repair', 'review')),
    ref_id                text NOT NULL,
    starts_at             timestamptz NOT NULL,
    due_at                timestamptz NOT NULL,
    met_at                timestamptz,
    cancelled_at          timestamptz,
    overdue_recorded_at   timestamptz,
    PRIMARY KEY (case_id, kind, ref_id)
);
-- What the scheduler polls: unmet, not cancelled, not yet recorded overdue.
CREATE INDEX deadlines_waiting ON {schema}.deadlines (due_at)
    WHERE met_at IS NULL AND cancelled_at IS NULL AND overdue_recorded_at IS NULL;
