-- Finding dialogs (store.DialogFilter). Full text over what was said: a
-- tsvector of each message with the 'simple' configuration (words
-- lowercased, no stemming or stop words: dialogs come in every language,
-- and it matches what SQLite's FTS5 index finds) and a GIN index on it.
ALTER TABLE messages ADD COLUMN text_search tsvector GENERATED ALWAYS AS (to_tsvector('simple', text)) STORED;
CREATE INDEX messages_text_search ON messages USING GIN (text_search);

-- The filters a support desk leans on, in the list's order: by status,
-- and "which dialogs wait at node X (for more than an hour)". A person's
-- dialogs across bots; user_id never changes, so this one costs a turn
-- nothing. Mode and handoff status have a handful of values each (and
-- dialogs_handoff_queue serves the handed-off ones).
CREATE INDEX dialogs_project_status ON dialogs (project_id, status, updated_at DESC, id DESC);
CREATE INDEX dialogs_project_node ON dialogs (project_id, node, updated_at DESC, id DESC);
CREATE INDEX dialogs_project_user ON dialogs (project_id, user_id) WHERE user_id <> '';
