-- An erased case (cases' `CaseErased`): seen by nobody, commands refused (409
-- `case_erased`). Its row keeps no restriction and no people (no staff ids either).
ALTER TABLE {schema}.case_access ADD COLUMN erased boolean NOT NULL DEFAULT false;
