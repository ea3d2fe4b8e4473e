-- Restrictions intake knows from its own reports (issue 10, point 18): a report naming a
-- member of staff as the survivor or an alleged perpetrator marks its case restricted in
-- the same transaction, before cases publishes anything. `restriction_said_at` is when
-- cases last restricted the case or lifted it, so a mark newer than that is still
-- waiting for cases' word (hearth.intake.domain.disclosure.RestrictionFacts).
ALTER TABLE {schema}.case_lifecycle ADD COLUMN IF NOT EXISTS restriction_said_at timestamptz;

CREATE TABLE IF NOT EXISTS {schema}.restriction_marks (
    case_id            uuid        PRIMARY KEY,
    marked_at          timestamptz NOT NULL,  -- the latest report naming staff involved
    involved_staff_ids text[]      NOT NULL,  -- staff ids those reports named (never names)
    unidentified       boolean     NOT NULL   -- someone was named as staff without an id
);
