-- Finding dialogs (store.DialogFilter). Full text over what was said: an
-- FTS5 index whose content is messages.text (unicode61 words, case and
-- diacritics folded), kept by a trigger; messages are only ever inserted.
CREATE VIRTUAL TABLE messages_fts USING fts5(text, content = 'messages', content_rowid = 'rowid');
INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
	INSERT INTO messages_fts (rowid, text) VALUES (new.rowid, new.text);
END;

-- The filters a support desk leans on, in the list's order: by status,
-- and "which dialogs wait at node X (for more than an hour)". A person's
-- dialogs across bots; user_id never changes, so this one costs a turn
-- nothing. Mode and handoff status have a handful of values each (and
-- dialogs_handoff_queue serves the handed-off ones).
CREATE INDEX dialogs_project_status ON dialogs (project_id, status, updated_at DESC, id DESC);
CREATE INDEX dialogs_project_node ON dialogs (project_id, node, updated_at DESC, id DESC);
CREATE INDEX dialogs_project_user ON dialogs (project_id, user_id) WHERE user_id <> '';
