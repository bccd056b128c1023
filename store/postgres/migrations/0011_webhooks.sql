-- Webhooks (store.Webhooks): endpoints a project's event log is delivered
-- to. uuid is "wh_..."; events is a JSON list of types (["*"] for all);
-- secret and previous_secret are sealed by the caller (secretbox), the
-- previous one signing until previous_until. event_cursor is the greatest
-- event seq fanned out into deliveries.
CREATE TABLE webhooks (
	id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	uuid            TEXT NOT NULL UNIQUE,
	project_id      BIGINT NOT NULL REFERENCES projects (id),
	url             TEXT NOT NULL,
	description     TEXT NOT NULL,
	events          JSON NOT NULL,
	status          TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
	disabled_reason TEXT NOT NULL,
	secret          TEXT NOT NULL,
	previous_secret TEXT NOT NULL,
	previous_until  TIMESTAMPTZ,
	event_cursor    BIGINT NOT NULL DEFAULT 0,
	failing_since   TIMESTAMPTZ,
	created_at      TIMESTAMPTZ NOT NULL,
	updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhooks_project_id ON webhooks (project_id);

-- One event to deliver to one webhook, once: UNIQUE (webhook_id,
-- event_seq) makes fanning out again after a crash harmless. A pending
-- delivery is due at next_attempt_at; the index serves the claim, whose
-- FOR UPDATE SKIP LOCKED lets dispatchers claim side by side.
CREATE TABLE webhook_deliveries (
	id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	webhook_id      BIGINT NOT NULL REFERENCES webhooks (id),
	project_id      BIGINT NOT NULL REFERENCES projects (id),
	event_seq       BIGINT NOT NULL,
	event_type      TEXT NOT NULL,
	attempts        INTEGER NOT NULL DEFAULT 0,
	status          TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
	next_attempt_at TIMESTAMPTZ,
	last_status     INTEGER NOT NULL DEFAULT 0,
	last_error      TEXT NOT NULL DEFAULT '',
	delivered_at    TIMESTAMPTZ,
	created_at      TIMESTAMPTZ NOT NULL,
	UNIQUE (webhook_id, event_seq)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
