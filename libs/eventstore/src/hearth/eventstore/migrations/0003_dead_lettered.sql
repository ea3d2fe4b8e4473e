-- Records a consumer parked on the DLQ, by where they came from, written in the same
-- transaction as the batch that parked them. A batch read again (a rebalance moved the
-- partition while the batch was being handled, say) finds the record here and does not
-- park it a second time. Ids and offsets only: what was parked is on the DLQ itself.
CREATE TABLE IF NOT EXISTS {schema}.dead_lettered (
    consumer    text        NOT NULL,
    topic       text        NOT NULL,
    partition   integer     NOT NULL,
    "offset"    bigint      NOT NULL,
    parked_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, topic, partition, "offset")
);
