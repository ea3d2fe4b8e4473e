-- Crypto-shredding (issue 12): when cases erases a case (`CaseErased`), intake forgets
-- what it holds that identifies the case's people: the match index entries pointing at
-- the case, the staff its reports named as involved (restriction_marks), the stand-in ids
-- given for it and the idempotency answers naming it. It keeps that the case was erased
-- and when, so that the case is unknown to every later report (never joined, never
-- named, never a repeat) and a late event about it adds nothing to the index again.
ALTER TABLE {schema}.case_lifecycle ADD COLUMN IF NOT EXISTS erased_at timestamptz;
