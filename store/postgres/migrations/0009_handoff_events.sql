-- A dialog's handoff to operators (store.Handoff): none -> requested ->
-- active -> released. Requested dialogs wait in their queue in order of
-- handoff_requested_at; the index serves the queue views and take-next.
ALTER TABLE dialogs
	ADD COLUMN handoff_status        TEXT NOT NULL DEFAULT 'none',
	ADD COLUMN handoff_queue         TEXT NOT NULL DEFAULT '',
	ADD COLUMN handoff_reason        TEXT NOT NULL DEFAULT '',
	ADD COLUMN handoff_requested_at  TIMESTAMPTZ,
	ADD COLUMN handoff_last_text     TEXT NOT NULL DEFAULT '',
	ADD COLUMN handoff_operator_id   TEXT NOT NULL DEFAULT '',
	ADD COLUMN handoff_operator_name TEXT NOT NULL DEFAULT '',
	ADD COLUMN handoff_taken_at      TIMESTAMPTZ,
	ADD COLUMN handoff_released_at   TIMESTAMPTZ;
CREATE INDEX dialogs_handoff_queue ON dialogs (project_id, handoff_status, handoff_queue, handoff_requested_at, id)
	WHERE handoff_status IN ('requested', 'active');

-- The event log (store.EventLog), written in the transaction of the change
-- each event describes. seq numbers a project's events in commit order:
-- projects.event_seq is the last one given, and the row lock taken to
-- raise it orders a project's writers, so a reader who has seen seq n
-- never later finds a committed event below n.
ALTER TABLE projects ADD COLUMN event_seq BIGINT NOT NULL DEFAULT 0;
CREATE TABLE events (
	project_id  BIGINT NOT NULL REFERENCES projects (id),
	seq         BIGINT NOT NULL,
	type        TEXT NOT NULL,
	dialog_id   BIGINT,
	dialog_uuid TEXT NOT NULL,
	bot_id      BIGINT,
	queue       TEXT NOT NULL,
	data        JSON NOT NULL,
	created_at  TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (project_id, seq)
);
CREATE INDEX events_dialog ON events (dialog_id, seq) WHERE dialog_id IS NOT NULL;
CREATE INDEX events_created_at ON events (created_at);
