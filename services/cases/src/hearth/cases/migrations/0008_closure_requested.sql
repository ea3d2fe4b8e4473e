-- The list's `closure_requested` filter: closure requests awaiting a manager's decision,
-- found through a partial index (few cases wait at once), never a scan of every case.

CREATE INDEX case_summary_closure_requested ON {schema}.case_summary (opened_at)
    WHERE closure_requested;
