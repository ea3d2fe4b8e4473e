-- An erased case's MARAC actions (cases' `CaseErased`): kept for counts (ids, agencies,
-- dates), seen by nobody, and no longer waiting: the overdue scheduler leaves them.
ALTER TABLE {schema}.marac_actions ADD COLUMN case_erased boolean NOT NULL DEFAULT false;
