-- Each alleged perpetrator's age band on a case (plain: a band identifies nobody), in
-- the order the case lists them; NULL where no band was recorded. For the SafeLives
-- indicator "perpetrators aged 17 or under". Cases projected before this column have
-- none until a rebuild reads their events again.
ALTER TABLE {schema}.case_facts ADD COLUMN perpetrator_age_bands text[];
