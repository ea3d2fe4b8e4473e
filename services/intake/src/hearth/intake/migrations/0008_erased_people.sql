-- One person's erasure on a case (cases' `PersonErased`, issue 12): intake deletes that
-- person's match index entries on the case (keys and the survivor's details: every such
-- row carries the person's id) and keeps here only that they were erased, ids and time,
-- so a late update naming them indexes nothing again. Written by the case-status
-- consumer, emptied with its other rows before a rebuild replays the topics.
CREATE TABLE IF NOT EXISTS {schema}.erased_people (
    case_id     uuid        NOT NULL,
    person_id   uuid        NOT NULL,
    erased_at   timestamptz NOT NULL,
    PRIMARY KEY (case_id, person_id)
);
