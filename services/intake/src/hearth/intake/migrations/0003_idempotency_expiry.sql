-- Idempotency keys expire (HEARTH_IDEMPOTENCY_DAYS after their first use): each new
-- answer saved deletes a bounded batch of expired keys, oldest first, found by this index.
CREATE INDEX IF NOT EXISTS idempotency_keys_created ON {schema}.idempotency_keys (created_at);
