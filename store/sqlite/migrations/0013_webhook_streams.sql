-- A dispatcher sends a webhook's events straight from the log, after
-- event_cursor, while it holds the webhook's stream: stream_owner (a token
-- of the dispatcher) until stream_until. It writes a delivery with each
-- batch's first attempts, so pending deliveries are retries only, and the
-- due index covers those alone.
ALTER TABLE webhooks ADD COLUMN stream_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE webhooks ADD COLUMN stream_until TEXT;
DROP INDEX webhook_deliveries_due;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
