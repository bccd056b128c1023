-- People's ratings of a dialog's messages (Flowise's chat message
-- feedback): at most one per message, which a later one replaces. bot_id
-- is the dialog's bot when it was first given, which lists a bot's
-- feedback without reading its dialogs.
CREATE TABLE feedback (
	id         INTEGER PRIMARY KEY,
	uuid       TEXT NOT NULL UNIQUE,
	project_id INTEGER NOT NULL REFERENCES projects (id),
	bot_id     INTEGER NOT NULL,
	dialog_id  INTEGER NOT NULL REFERENCES dialogs (id),
	seq        INTEGER NOT NULL,
	message_id TEXT NOT NULL,
	rating     TEXT NOT NULL CHECK (rating IN ('up', 'down')),
	content    TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	UNIQUE (dialog_id, seq)
) STRICT;
CREATE INDEX feedback_bot ON feedback (project_id, bot_id, created_at, id);
