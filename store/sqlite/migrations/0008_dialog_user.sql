-- The client's id of the person in a dialog (the native API's user.id),
-- '' when unknown. Dialogs of one bot with the same user_id are the same
-- person's, so semantic recall can find what they said before.
ALTER TABLE dialogs ADD COLUMN user_id TEXT NOT NULL DEFAULT '';
CREATE INDEX dialogs_bot_user ON dialogs (project_id, bot_id, user_id) WHERE user_id <> '';
