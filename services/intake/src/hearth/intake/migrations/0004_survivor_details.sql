-- A survivor's name and date of birth, each alone, as keyed digests like every match key:
-- never looked up, only compared with those of a survivor found by a key, so that a report
-- about someone else on a shared identifier (a household phone) is a candidate for staff
-- to confirm, never joined to that survivor's case. NULL: a match key.
ALTER TABLE {schema}.match_keys ADD COLUMN IF NOT EXISTS detail text
    CHECK (detail IN ('name', 'date_of_birth'));
