-- When cases erased the case (`CaseErased.erased_at`): what a subject access request on
-- an erased case is told, with nothing else.
ALTER TABLE {schema}.case_access ADD COLUMN IF NOT EXISTS erased_at timestamptz;
