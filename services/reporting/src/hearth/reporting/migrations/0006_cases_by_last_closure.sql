-- The figures for a period read the cases that could count in it (`read_model.
-- load_period_facts`): those open now or closed for the last time on or after the
-- period's start. This index finds them without reading the old closed cases, which are
-- most of the history.
CREATE INDEX IF NOT EXISTS case_facts_last_closed
    ON {schema}.case_facts ((coalesce(closed_at, 'infinity'::timestamptz)));

-- And the closures reopened since a moment: with the cases' last closures (closures_open),
-- every closure that stood at the end of a period, whatever the period.
CREATE INDEX IF NOT EXISTS closures_reopened ON {schema}.closures (reopened_at);
