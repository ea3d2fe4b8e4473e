-- Erasure (hearth.cases.domain.erasure): when a case's personal data was erased, and
-- the retention sweep's work list. The sweep reads closed, not yet erased cases by their
-- closure date through this partial index, never every case. An erased case's row keeps
-- only dates, statuses, categories and counts; `save` writes its visibility as nobody's,
-- with no staff id of anyone involved (hearth.cases.domain.access.NOBODY).
ALTER TABLE {schema}.case_summary ADD COLUMN erased_at timestamptz;
CREATE INDEX case_summary_retention ON {schema}.case_summary (closed_at)
    WHERE status = 'closed' AND erased_at IS NULL;
