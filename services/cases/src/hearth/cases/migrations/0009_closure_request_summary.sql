-- Who asked to close a case, when and why (the reason's code, and whether notes came with
-- it), on its summary row: the list of closure requests awaiting a decision answers it
-- without reading each case. Ids, a time and a code: no personal data (the notes stay on
-- the case). A request made before this migration gets them at the case's next event or
-- at a rebuild (`python -m hearth.cases rebuild`); until then the list gives none.
ALTER TABLE {schema}.case_summary
    ADD COLUMN IF NOT EXISTS closure_requested_by text,
    ADD COLUMN IF NOT EXISTS closure_requested_at timestamptz,
    ADD COLUMN IF NOT EXISTS closure_request_reason text,
    ADD COLUMN IF NOT EXISTS closure_request_has_notes boolean NOT NULL DEFAULT false;
