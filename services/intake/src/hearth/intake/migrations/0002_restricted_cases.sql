-- Which cases are restricted, and to whom (from CaseRestricted / CaseRestrictionLifted),
-- so a report joining a restricted case does not tell an unnamed submitter it exists.
ALTER TABLE {schema}.case_lifecycle ADD COLUMN IF NOT EXISTS restricted_to text[];
