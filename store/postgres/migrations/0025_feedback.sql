-- People's ratings of a dialog's messages (Flowise's chat message
-- feedback): at most one per message, which a later one replaces. bot_id
-- is the dialog's bot when it was first given, which lists a bot's
-- feedback without reading its dialogs.
CREATE TABLE feedback (
	id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	uuid       TEXT NOT NULL UNIQUE,
	project_id BIGINT NOT NULL REFERENCES projects (id),
	bot_id     BIGINT NOT NULL,
	dialog_id  BIGINT NOT NULL REFERENCES dialogs (id),
	seq        BIGINT NOT NULL,
	message_id TEXT NOT NULL,
	rating     TEXT NOT NULL CHECK (rating IN ('up', 'down')),
	content    TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	UNIQUE (dialog_id, seq)
);
CREATE INDEX feedback_bot ON feedback (project_id, bot_id, created_at, id);
