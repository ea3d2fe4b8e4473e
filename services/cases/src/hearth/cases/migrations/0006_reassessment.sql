-- A case's reassessment deadline (the next risk assessment, when the last one's
-- instrument sets an interval) is one more kind of deadline.
ALTER TABLE {schema}.deadlines DROP CONSTRAINT IF EXISTS deadlines_kind_check;
ALTER TABLE {schema}.deadlines ADD CONSTRAINT deadlines_kind_check
    CHECK (kind IN ('contact', 'dash', 'emergency_repair', 'review', 'reassessment'));
