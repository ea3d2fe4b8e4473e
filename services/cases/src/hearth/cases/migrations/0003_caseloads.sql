-- Open cases per case manager, kept by hearth.cases.read_model.save in the transaction
-- that changes a case, so choosing who takes a new case reads one row per member of
-- staff instead of counting every case. `caseload_of` on the summary is the case manager
-- the case counts for (hearth.cases.domain.state.CaseState.caseload_of): the count is
-- the number of summary rows naming them, which `rebuild` recounts.

ALTER TABLE {schema}.case_summary ADD COLUMN caseload_of text;
-- Rows already written are converted here, once, the way `save` now writes them.
UPDATE {schema}.case_summary SET caseload_of = case_manager_id WHERE status = 'open';

CREATE TABLE {schema}.caseloads (
    case_manager_id   text PRIMARY KEY,
    open_cases        integer NOT NULL CHECK (open_cases >= 0)
);
INSERT INTO {schema}.caseloads (case_manager_id, open_cases)
    SELECT caseload_of, count(*) FROM {schema}.case_summary
    WHERE caseload_of IS NOT NULL GROUP BY caseload_of;
