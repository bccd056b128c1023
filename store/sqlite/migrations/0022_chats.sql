-- Worken's chats and threads. A chat is a channel of a bot: every bot has
-- one API chat (kind 'api', no integration), and a widget or a messenger
-- integration's chat is a channel too. A thread is a dialog, of the
-- channel it came through (channel_id; an API dialog is its bot's API
-- chat's). integrations keeps each platform's credentials, sealed.
CREATE TABLE integrations (
	id         INTEGER PRIMARY KEY,
	uuid       TEXT NOT NULL UNIQUE,
	project_id INTEGER NOT NULL REFERENCES projects (id),
	name       TEXT NOT NULL,
	vendor     TEXT NOT NULL,
	status     TEXT NOT NULL CHECK (status IN ('active', 'disabled', 'error')),
	auth_data  TEXT NOT NULL, -- sealed JSON (secretbox), never returned
	settings   TEXT NOT NULL, -- JSON object
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX integrations_project ON integrations (project_id, id);

ALTER TABLE channels ADD COLUMN uuid TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled', 'error'));
ALTER TABLE channels ADD COLUMN integration_id INTEGER REFERENCES integrations (id);
ALTER TABLE channels ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
ALTER TABLE channels ADD COLUMN updated_at TEXT NOT NULL DEFAULT '';
UPDATE channels SET updated_at = created_at,
	uuid = lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' ||
		substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)));
-- Every bot's API chat (deleted bots have none).
INSERT INTO channels (project_id, bot_id, kind, name, allowed_origins, site_token, created_at, updated_at, uuid)
SELECT project_id, id, 'api', name, '[]', 'api_' || uuid, created_at, created_at,
	lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' ||
		substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))
FROM bots WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX channels_uuid ON channels (uuid);
CREATE UNIQUE INDEX channels_bot_api ON channels (bot_id) WHERE kind = 'api';
CREATE INDEX channels_project ON channels (project_id, id);

ALTER TABLE dialogs ADD COLUMN channel_id INTEGER REFERENCES channels (id);
ALTER TABLE dialogs ADD COLUMN deleted_at TEXT;
UPDATE dialogs SET channel_id = (SELECT c.id FROM channels c WHERE c.bot_id = dialogs.bot_id AND c.kind = 'api');
CREATE INDEX dialogs_channel_updated ON dialogs (channel_id, updated_at DESC, id DESC);
CREATE INDEX dialogs_project_external ON dialogs (project_id, external_id) WHERE external_id <> '';
