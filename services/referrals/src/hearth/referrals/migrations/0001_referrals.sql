-- The referrals service's read models, written in the same transaction as each append
-- (or, for what it knows of cases, with each consumed event) and rebuildable.

-- What referrals knows of each case from cases' and risk's events (people, children,
-- safe contact, wishes, incidents, latest assessment): the facts each decision is given.
-- Holds personal data, as the event store does; never logged.
CREATE TABLE {schema}.known_cases (
    case_id               uuid PRIMARY KEY,
    facts                 jsonb NOT NULL,
    visible_to_everyone   boolean NOT NULL,
    visible_to            text[] NOT NULL,
    hidden_from           text[] NOT NULL,
    updated_at            timestamptz NOT NULL
);

-- Each case's MARAC referrals: the last one of an earlier case is looked up by case id
-- when a repeat case is referred.
CREATE TABLE {schema}.marac_referrals (
    case_id               uuid NOT NULL,
    referral_id           uuid PRIMARY KEY,
    referred_at           timestamptz NOT NULL,
    status                text NOT NULL
);
CREATE INDEX marac_referrals_case ON {schema}.marac_referrals (case_id, referred_at);

-- Every action agreed at MARAC: the overdue scheduler's work list and the managers' list.
CREATE TABLE {schema}.marac_actions (
    case_id               uuid NOT NULL,
    referral_id           uuid NOT NULL,
    action_id             uuid PRIMARY KEY,
    owner_agency          text NOT NULL,
    owner_staff_id        text,
    landlord_action       boolean NOT NULL,
    due_on                date NOT NULL,
    completed_at          timestamptz,
    overdue_recorded_at   timestamptz,
    visible_to_everyone   boolean NOT NULL,
    visible_to            text[] NOT NULL,
    hidden_from           text[] NOT NULL
);
-- What the scheduler polls: not completed, not yet recorded overdue.
CREATE INDEX marac_actions_waiting ON {schema}.marac_actions (due_on)
    WHERE completed_at IS NULL AND overdue_recorded_at IS NULL;
CREATE INDEX marac_actions_overdue ON {schema}.marac_actions (due_on)
    WHERE completed_at IS NULL AND overdue_recorded_at IS NOT NULL;
