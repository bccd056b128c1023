-- Operators' messages a dialog sends later (store.ScheduledMessage), as a
-- JSON list, the earliest first; kept by the dialog's workflow.
ALTER TABLE dialogs ADD COLUMN scheduled TEXT NOT NULL DEFAULT '[]';

-- Operators' internal notes on a dialog: shown to operators, never to the
-- user, never in the bot's model context, so they are not messages.
CREATE TABLE notes (
	id            INTEGER PRIMARY KEY,
	dialog_id     INTEGER NOT NULL REFERENCES dialogs (id),
	operator_id   TEXT NOT NULL,
	operator_name TEXT NOT NULL,
	text          TEXT NOT NULL,
	created_at    TEXT NOT NULL
) STRICT;
CREATE INDEX notes_dialog_id ON notes (dialog_id, id);
