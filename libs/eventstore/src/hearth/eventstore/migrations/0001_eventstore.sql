-- Event store, outbox position, inbox and consumer checkpoints for one service schema.
-- {schema} is replaced with the service's schema name.

CREATE TABLE IF NOT EXISTS {schema}.events (
    global_position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The writing transaction's id: readers order by (tx_id, global_position) and read
    -- only below the commit horizon, so an event that commits late is never skipped.
    tx_id           xid8        NOT NULL DEFAULT pg_current_xact_id(),
    event_id        uuid        NOT NULL UNIQUE,
    stream_id       text        NOT NULL,
    stream_version  integer     NOT NULL CHECK (stream_version >= 1),
    type            text        NOT NULL,
    subject         text        NOT NULL,
    payload         jsonb       NOT NULL,
    metadata        jsonb       NOT NULL,
    occurred_at     timestamptz NOT NULL,
    recorded_at     timestamptz NOT NULL,
    prev_hash       text        NOT NULL,
    hash            text        NOT NULL,
    UNIQUE (stream_id, stream_version)
);

CREATE INDEX IF NOT EXISTS events_tx_position ON {schema}.events (tx_id, global_position);
CREATE INDEX IF NOT EXISTS events_subject ON {schema}.events (subject);

CREATE OR REPLACE FUNCTION {schema}.refuse_event_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are immutable: % on %.events is refused', TG_OP, TG_TABLE_SCHEMA
        USING ERRCODE = 'insufficient_privilege';
END
$$;

DROP TRIGGER IF EXISTS events_immutable ON {schema}.events;
CREATE TRIGGER events_immutable BEFORE UPDATE OR DELETE ON {schema}.events
    FOR EACH ROW EXECUTE FUNCTION {schema}.refuse_event_change();
DROP TRIGGER IF EXISTS events_no_truncate ON {schema}.events;
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON {schema}.events
    FOR EACH STATEMENT EXECUTE FUNCTION {schema}.refuse_event_change();

-- How far the outbox relay has published, in (tx_id, global_position) order.
CREATE TABLE IF NOT EXISTS {schema}.outbox_position (
    relay           text        PRIMARY KEY,
    tx_id           xid8        NOT NULL,
    global_position bigint      NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Events a consumer has handled: a redelivered event finds its id here and is skipped.
CREATE TABLE IF NOT EXISTS {schema}.inbox (
    consumer    text        NOT NULL,
    event_id    uuid        NOT NULL,
    topic       text        NOT NULL,
    partition   integer     NOT NULL,
    "offset"    bigint      NOT NULL,
    handled_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);

-- Where each consumer resumes, written in the same transaction as its effects.
CREATE TABLE IF NOT EXISTS {schema}.consumer_offsets (
    consumer    text        NOT NULL,
    topic       text        NOT NULL,
    partition   integer     NOT NULL,
    next_offset bigint      NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, topic, partition)
);
