-- Whether the survivor's preferred case manager gender is unmet, as the domain decides it
-- (hearth.cases.domain.state.CaseState.preference_unmet): the list's `preference_unmet`
-- column and filter, for managers to reassign when someone of that gender is free.
--
-- Rows already written are converted here, once, the way `save` now writes them: a
-- preference is met only when an assignment or a recorded preference said so.

ALTER TABLE {schema}.case_summary ADD COLUMN preference_unmet boolean;
UPDATE {schema}.case_summary
    SET preference_unmet = preferred_gender IS NOT NULL AND preference_met IS NOT TRUE;
ALTER TABLE {schema}.case_summary ALTER COLUMN preference_unmet SET NOT NULL;
CREATE INDEX case_summary_preference_unmet ON {schema}.case_summary (opened_at)
    WHERE preference_unmet;
