-- The key store of hearth.eventstore.personal_data, in a schema of its own (default
-- hearth_keys) that only the roles of services needing plaintext may read
-- (KeyStore.grant_access). One row per subject: a person on a case (person_id) or the case
-- itself (person_id NULL). The data key is stored wrapped (AES-GCM) under a master key
-- from the environment, never in the clear. Destroying a key (erasure) nulls the wrapped
-- bytes and keeps the row as the record of the erasure, so the subject's key can never be
-- made again; a destroyed case key refuses new keys for every person on the case.
-- Rows hold ids only: no personal data.
REVOKE ALL ON SCHEMA {schema} FROM PUBLIC;

CREATE TABLE IF NOT EXISTS {schema}.data_keys (
    key_id           text        PRIMARY KEY,
    case_id          uuid        NOT NULL,
    person_id        uuid,
    wrapped_key      bytea,
    master_key_id    text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    destroyed_at     timestamptz,
    destroyed_reason text,
    CONSTRAINT data_keys_one_per_subject UNIQUE NULLS NOT DISTINCT (case_id, person_id),
    CONSTRAINT data_keys_live_or_destroyed CHECK (
        (wrapped_key IS NOT NULL AND master_key_id IS NOT NULL
            AND destroyed_at IS NULL AND destroyed_reason IS NULL)
        OR (wrapped_key IS NULL AND master_key_id IS NULL
            AND destroyed_at IS NOT NULL AND destroyed_reason IS NOT NULL))
);

-- Rotation finds the keys still wrapped by an old master key without a scan.
CREATE INDEX IF NOT EXISTS data_keys_live_by_master
    ON {schema}.data_keys (master_key_id) WHERE wrapped_key IS NOT NULL;

-- A destroyed key stays destroyed, and no row is ever deleted (the row is the record of
-- the erasure, and deleting it would let the key be made again).
CREATE OR REPLACE FUNCTION {schema}.data_keys_stay_destroyed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'data keys are never deleted: destroy them instead';
    END IF;
    IF OLD.destroyed_at IS NOT NULL THEN
        RAISE EXCEPTION 'data key % is destroyed and stays destroyed', OLD.key_id;
    END IF;
    IF NEW.key_id <> OLD.key_id OR NEW.case_id <> OLD.case_id
            OR NEW.person_id IS DISTINCT FROM OLD.person_id THEN
        RAISE EXCEPTION 'a data key keeps its id and subject';
    END IF;
    RETURN NEW;
END;
$$;

DROP TRIGGER IF EXISTS data_keys_stay_destroyed ON {schema}.data_keys;
CREATE TRIGGER data_keys_stay_destroyed
    BEFORE UPDATE OR DELETE ON {schema}.data_keys
    FOR EACH ROW EXECUTE FUNCTION {schema}.data_keys_stay_destroyed();
