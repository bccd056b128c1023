-- SQLite checks `status IN ('pending', 'delivered', 'failed')` by building
-- a temporary b-tree of the three values for every row written, with a
-- page cache of its own mapped and unmapped each time: most of what
-- recording a batch of deliveries cost, at the one writer the turns queue
-- at. The same rule written with OR compares in place. A CHECK constraint
-- cannot be altered, so the table is made again.
CREATE TABLE webhook_deliveries_new (
	id              INTEGER PRIMARY KEY,
	webhook_id      INTEGER NOT NULL REFERENCES webhooks (id),
	project_id      INTEGER NOT NULL REFERENCES projects (id),
	event_seq       INTEGER NOT NULL,
	event_type      TEXT NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	status          TEXT NOT NULL CHECK (status = 'pending' OR status = 'delivered' OR status = 'failed'),
	next_attempt_at TEXT,
	last_status     INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT NOT NULL DEFAULT '',
	delivered_at    TEXT,
	created_at      TEXT NOT NULL,
	UNIQUE (webhook_id, event_seq)
) STRICT;
INSERT INTO webhook_deliveries_new SELECT id, webhook_id, project_id, event_seq, event_type, attempts, status,
	next_attempt_at, last_status, last_error, delivered_at, created_at FROM webhook_deliveries;
DROP TABLE webhook_deliveries;
ALTER TABLE webhook_deliveries_new RENAME TO webhook_deliveries;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
