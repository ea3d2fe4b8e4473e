-- Stand-in case ids (issue 10, point 17): a member of staff not named on a restricted
-- case who reports about its people is answered as for a person with no case, under a
-- stand-in case id instead of the real one; the same one each time they ask about that
-- case, and naming it names the case for them (hearth.intake.domain.disclosure).
-- Ids only: no personal data.
CREATE TABLE IF NOT EXISTS {schema}.stand_in_cases (
    staff_id         text        NOT NULL,
    case_id          uuid        NOT NULL,  -- the restricted case
    stand_in_case_id uuid        NOT NULL,  -- what they were told instead
    given_at         timestamptz NOT NULL,
    PRIMARY KEY (staff_id, case_id),
    UNIQUE (staff_id, stand_in_case_id)
);
