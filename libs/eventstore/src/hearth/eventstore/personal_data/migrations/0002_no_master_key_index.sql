-- Every new key paid for an index nothing needs: rotation (KeyStore.rewrap) walks the keys
-- in key id order (the primary key) looking for `master_key_id <> current`, which a btree
-- on master_key_id cannot answer, and `master_keys_in_use` (a count per master key, run by
-- an operator during a rotation) reads the table once either way. One index fewer to write
-- on a case's first event.
DROP INDEX IF EXISTS {schema}.data_keys_live_by_master;
