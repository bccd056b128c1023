-- Operators' messages a dialog sends later (store.ScheduledMessage), as a
-- JSON list, the earliest first; kept by the dialog's workflow.
ALTER TABLE dialogs ADD COLUMN scheduled JSON NOT NULL DEFAULT '[]';

-- Operators' internal notes on a dialog: shown to operators, never to the
-- user, never in the bot's model context, so they are not messages.
CREATE TABLE notes (
	id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	dialog_id     BIGINT NOT NULL REFERENCES dialogs (id),
	operator_id   TEXT NOT NULL,
	operator_name TEXT NOT NULL,
	text          TEXT NOT NULL,
	created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX notes_dialog_id ON notes (dialog_id, id);
