-- Client-supplied idempotency keys (hearth.eventstore.idempotency), in every service's
-- schema, written in the same transaction as the events the command appended; the primary
-- key makes concurrent retries with one key wait for each other. Keys expire
-- HEARTH_IDEMPOTENCY_DAYS after their first use; each new answer saved deletes a bounded
-- batch of expired keys, oldest first, found by the index. Responses hold ids, never what
-- was reported. (Intake created the same table in its first migration: IF NOT EXISTS.)
CREATE TABLE IF NOT EXISTS {schema}.idempotency_keys (
    scope        text        NOT NULL,
    key          text        NOT NULL,
    request_hash text        NOT NULL,
    status_code  integer     NOT NULL,
    response     jsonb       NOT NULL,
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX IF NOT EXISTS idempotency_keys_created ON {schema}.idempotency_keys (created_at);
