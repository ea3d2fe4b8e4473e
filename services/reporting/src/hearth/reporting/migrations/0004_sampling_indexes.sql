-- The DAHA sample draws the cases closed in a period in SQL (closures by closed_at), then
-- reads the facts of the sampled cases only (each fact table by case_id).
CREATE INDEX IF NOT EXISTS closures_closed ON {schema}.closures (closed_at);
CREATE INDEX IF NOT EXISTS reports_case ON {schema}.reports (case_id);
CREATE INDEX IF NOT EXISTS assessments_case ON {schema}.assessments (case_id);
CREATE INDEX IF NOT EXISTS marac_referrals_case ON {schema}.marac_referrals (case_id);
CREATE INDEX IF NOT EXISTS marac_actions_case ON {schema}.marac_actions (case_id);
CREATE INDEX IF NOT EXISTS referrals_case ON {schema}.referrals (case_id);
CREATE INDEX IF NOT EXISTS consents_case ON {schema}.consents (case_id);
CREATE INDEX IF NOT EXISTS incidents_case ON {schema}.incidents (case_id);
CREATE INDEX IF NOT EXISTS enquiries_case ON {schema}.enquiries (case_id);
CREATE INDEX IF NOT EXISTS security_requests_case ON {schema}.security_requests (case_id);
CREATE INDEX IF NOT EXISTS perpetrator_actions_case ON {schema}.perpetrator_actions (case_id);
CREATE INDEX IF NOT EXISTS wishes_case ON {schema}.wishes (case_id);
CREATE INDEX IF NOT EXISTS safe_contact_records_case ON {schema}.safe_contact_records (case_id);
CREATE INDEX IF NOT EXISTS reviews_case ON {schema}.reviews (case_id);
