-- The figures for a period read each fact table by the times its figures look at
-- (`read_model.load_period_facts`), not whole.
CREATE INDEX IF NOT EXISTS deadlines_started ON {schema}.deadlines (started_at);
CREATE INDEX IF NOT EXISTS deadlines_overdue ON {schema}.deadlines (overdue_at);
CREATE INDEX IF NOT EXISTS deadlines_running ON {schema}.deadlines (due_at)
    WHERE met_at IS NULL AND cancelled_at IS NULL;
CREATE INDEX IF NOT EXISTS closures_open ON {schema}.closures (closed_at)
    WHERE reopened_at IS NULL;
CREATE INDEX IF NOT EXISTS assessments_at ON {schema}.assessments (at);
CREATE INDEX IF NOT EXISTS marac_referrals_referred ON {schema}.marac_referrals (referred_at);
CREATE INDEX IF NOT EXISTS marac_referrals_heard ON {schema}.marac_referrals (heard_on);
CREATE INDEX IF NOT EXISTS marac_actions_outstanding ON {schema}.marac_actions (completed_at)
    WHERE landlord_action;
CREATE INDEX IF NOT EXISTS referrals_made ON {schema}.referrals (made_at);
CREATE INDEX IF NOT EXISTS referrals_declined ON {schema}.referrals (declined_at);
CREATE INDEX IF NOT EXISTS consents_recorded ON {schema}.consents (recorded_at);
CREATE INDEX IF NOT EXISTS consents_withdrawn ON {schema}.consents (withdrawn_at);
CREATE INDEX IF NOT EXISTS enquiries_raised ON {schema}.enquiries (raised_at);
CREATE INDEX IF NOT EXISTS incidents_recorded ON {schema}.incidents (recorded_at);
CREATE INDEX IF NOT EXISTS security_requests_installed ON {schema}.security_requests (installed_at);
