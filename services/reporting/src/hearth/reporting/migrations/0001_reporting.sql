-- Reporting's read models: facts folded from the four topics by the `events` consumer,
-- in the transaction that records the event in its inbox, and rebuilt from offset 0 by
-- `python -m hearth.reporting rebuild`. Nothing personal: ids, times, codes, counts,
-- and the survivor's equality-monitoring categories (plain in the contract).

-- One row of facts per case (from cases' and risk's events).
CREATE TABLE {schema}.case_facts (
    case_id               uuid PRIMARY KEY,
    opened_at             timestamptz,
    reported_at           timestamptz,
    channel               text,
    reporter_kind         text,
    immediate_danger      boolean,
    repeat                boolean NOT NULL DEFAULT false,
    case_manager_id       text,
    risk_level            text,
    open                  boolean NOT NULL DEFAULT true,
    closed_at             timestamptz,
    closure_reason        text,
    children_in_household integer,
    children_affected     integer,
    survivor_sex          text,
    survivor_age_band     text,
    survivor_disability   text,
    survivor_gender_reassignment text,
    survivor_lgbtq_plus   text,
    survivor_sexual_orientation  text,
    survivor_ethnicity    text,
    survivor_religion     text,
    erased_at             timestamptz,
    -- who may see the case (hearth.eventstore.case_access): ids of its people only
    restriction           jsonb,
    people                jsonb NOT NULL DEFAULT '[]',
    visible_to_everyone   boolean NOT NULL DEFAULT false,
    visible_to            text[] NOT NULL DEFAULT '{}',
    hidden_from           text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX case_facts_opened ON {schema}.case_facts (opened_at DESC, case_id);

-- Every report that opened or joined a case: channel and reporter type.
CREATE TABLE {schema}.reports (
    report_id     uuid PRIMARY KEY,
    case_id       uuid NOT NULL,
    reported_at   timestamptz NOT NULL,
    channel       text NOT NULL,
    reporter_kind text NOT NULL
);
CREATE INDEX reports_reported ON {schema}.reports (reported_at);

-- Each closure of a case, and the reopening that ended it.
CREATE TABLE {schema}.closures (
    case_id      uuid NOT NULL,
    closed_at    timestamptz NOT NULL,
    reason       text NOT NULL,
    reopened_at  timestamptz,
    PRIMARY KEY (case_id, closed_at)
);

-- First contact, DASH and emergency repair deadlines: when the clock started, when due,
-- met (and how), found overdue, or stopped by the case closing.
CREATE TABLE {schema}.deadlines (
    case_id      uuid NOT NULL,
    kind         text NOT NULL,
    ref          text NOT NULL,
    started_at   timestamptz NOT NULL,
    due_at       timestamptz NOT NULL,
    met_at       timestamptz,
    outcome      text,
    overdue_at   timestamptz,
    cancelled_at timestamptz,
    PRIMARY KEY (case_id, kind, ref)
);
CREATE INDEX deadlines_due ON {schema}.deadlines (due_at);

-- A case's timeline: time, service, event type and the actor's role; nothing else.
CREATE TABLE {schema}.timeline (
    event_id    uuid PRIMARY KEY,
    case_id     uuid NOT NULL,
    at          timestamptz NOT NULL,
    service     text NOT NULL,
    event_type  text NOT NULL,
    actor_role  text NOT NULL
);
CREATE INDEX timeline_case ON {schema}.timeline (case_id, at);

CREATE TABLE {schema}.risk_levels (
    case_id  uuid NOT NULL,
    at       timestamptz NOT NULL,
    level    text NOT NULL,
    PRIMARY KEY (case_id, at)
);

-- DASH completed here or by another agency, or declined (level null).
CREATE TABLE {schema}.assessments (
    key      uuid PRIMARY KEY,
    case_id  uuid NOT NULL,
    at       timestamptz NOT NULL,
    kind     text NOT NULL,
    level    text
);

CREATE TABLE {schema}.marac_referrals (
    referral_id  uuid PRIMARY KEY,
    case_id      uuid NOT NULL,
    referred_at  timestamptz NOT NULL,
    by_housing   boolean NOT NULL,
    repeat       boolean NOT NULL,
    criteria     text[] NOT NULL,
    listed_at    timestamptz,
    meeting_date date,
    heard_on     date
);

CREATE TABLE {schema}.marac_actions (
    action_id       uuid PRIMARY KEY,
    referral_id     uuid NOT NULL,
    case_id         uuid NOT NULL,
    due_on          date NOT NULL,
    landlord_action boolean NOT NULL,
    completed_at    timestamptz,
    overdue_at      timestamptz
);

-- Any referral (MARAC included) by type, and how it went.
CREATE TABLE {schema}.referrals (
    referral_id    uuid PRIMARY KEY,
    case_id        uuid NOT NULL,
    referral_type  text NOT NULL,
    made_at        timestamptz,
    accepted_at    timestamptz,
    declined_at    timestamptz,
    decline_reason text,
    closed_at      timestamptz,
    outcome        text
);

CREATE TABLE {schema}.consents (
    consent_id    uuid PRIMARY KEY,
    case_id       uuid NOT NULL,
    recorded_at   timestamptz NOT NULL,
    given         boolean NOT NULL,
    scope         text[] NOT NULL,
    withdrawn_at  timestamptz
);

-- Enquiries (an ASB report of shouting and arguing, say), and the case each became.
CREATE TABLE {schema}.enquiries (
    enquiry_id   uuid PRIMARY KEY,
    raised_at    timestamptz,
    trigger      text,
    case_id      uuid,
    became_case_at timestamptz
);

CREATE TABLE {schema}.incidents (
    incident_id  uuid PRIMARY KEY,
    case_id      uuid NOT NULL,
    occurred_on  date NOT NULL,
    recorded_at  timestamptz NOT NULL,
    source       text NOT NULL
);
