-- Cases whose survivor nothing identifies or reaches carry a task for the DA lead in
-- place of a first-contact deadline (hearth.cases.domain.identification): the list
-- shows whether it is still open, and filters on it. Cases opened before had none.
ALTER TABLE {schema}.case_summary
    ADD COLUMN identify_survivor boolean NOT NULL DEFAULT false;
