-- The read model stores what the domain decided instead of recomputing it in SQL:
-- each deadline's status (hearth.cases.domain.deadlines.deadline_status, as of the case's
-- last event) and who may see a case (hearth.cases.domain.access.visibility).
--
-- Rows already written are converted here, once, the way `save` now writes them (the
-- status as of the case's last event, which is `updated_at`); `rebuild` gives the same.

ALTER TABLE {schema}.deadlines ADD COLUMN status text;
UPDATE {schema}.deadlines d SET status = CASE
    WHEN d.met_at IS NOT NULL THEN CASE WHEN d.met_at > d.due_at THEN 'met_late' ELSE 'met' END
    WHEN d.cancelled_at IS NOT NULL THEN 'cancelled'
    WHEN d.overdue_recorded_at IS NOT NULL OR d.due_at <= c.updated_at THEN 'overdue'
    ELSE 'due' END
FROM {schema}.case_summary c WHERE c.case_id = d.case_id;
-- A deadline without its case would be written again, or deleted, with the case.
UPDATE {schema}.deadlines SET status = 'due' WHERE status IS NULL;
ALTER TABLE {schema}.deadlines
    ALTER COLUMN status SET NOT NULL,
    ADD CONSTRAINT deadlines_status
        CHECK (status IN ('due', 'overdue', 'met', 'met_late', 'cancelled'));

-- Visibility: everyone, or only `visible_to`; never `hidden_from` (staff involved).
ALTER TABLE {schema}.case_summary RENAME COLUMN permitted_staff_ids TO visible_to;
ALTER TABLE {schema}.case_summary RENAME COLUMN involved_staff_ids TO hidden_from;
ALTER TABLE {schema}.case_summary ADD COLUMN visible_to_everyone boolean;
UPDATE {schema}.case_summary SET visible_to_everyone = NOT restricted;
ALTER TABLE {schema}.case_summary ALTER COLUMN visible_to_everyone SET NOT NULL;

-- Any deadline of the case overdue: the list's `overdue` column and filter.
ALTER TABLE {schema}.case_summary ADD COLUMN overdue boolean;
UPDATE {schema}.case_summary c SET overdue = EXISTS (
    SELECT 1 FROM {schema}.deadlines d WHERE d.case_id = c.case_id AND d.status = 'overdue');
ALTER TABLE {schema}.case_summary ALTER COLUMN overdue SET NOT NULL;
