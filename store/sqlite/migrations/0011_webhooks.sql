-- Webhooks (store.Webhooks): endpoints a project's event log is delivered
-- to. uuid is "wh_..."; events is a JSON list of types (["*"] for all);
-- secret and previous_secret are sealed by the caller (secretbox), the
-- previous one signing until previous_until. event_cursor is the greatest
-- event seq fanned out into deliveries.
CREATE TABLE webhooks (
	id              INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: deliveries name it
	uuid            TEXT NOT NULL UNIQUE,
	project_id      INTEGER NOT NULL REFERENCES projects (id),
	url             TEXT NOT NULL,
	description     TEXT NOT NULL,
	events          TEXT NOT NULL,
	status          TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
	disabled_reason TEXT NOT NULL,
	secret          TEXT NOT NULL,
	previous_secret TEXT NOT NULL,
	previous_until  TEXT,
	event_cursor    INTEGER NOT NULL DEFAULT 0,
	failing_since   TEXT,
	created_at      TEXT NOT NULL,
	updated_at      TEXT NOT NULL
) STRICT;
CREATE INDEX webhooks_project_id ON webhooks (project_id);

-- One event to deliver to one webhook, once: UNIQUE (webhook_id,
-- event_seq) makes fanning out again after a crash harmless. A pending
-- delivery is due at next_attempt_at; the index serves the claim.
CREATE TABLE webhook_deliveries (
	id              INTEGER PRIMARY KEY,
	webhook_id      INTEGER NOT NULL REFERENCES webhooks (id),
	project_id      INTEGER NOT NULL REFERENCES projects (id),
	event_seq       INTEGER NOT NULL,
	event_type      TEXT NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
	next_attempt_at TEXT,
	last_status     INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT NOT NULL DEFAULT '',
	delivered_at    TEXT,
	created_at      TEXT NOT NULL,
	UNIQUE (webhook_id, event_seq)
) STRICT;
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
