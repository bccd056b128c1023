-- Worken's chats and threads. A chat is a channel of a bot: every bot has
-- one API chat (kind 'api', no integration), and a widget or a messenger
-- integration's chat is a channel too. A thread is a dialog, of the
-- channel it came through (channel_id; an API dialog is its bot's API
-- chat's). integrations keeps each platform's credentials, sealed.
CREATE TABLE integrations (
	id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	uuid       UUID NOT NULL UNIQUE,
	project_id BIGINT NOT NULL REFERENCES projects (id),
	name       TEXT NOT NULL,
	vendor     TEXT NOT NULL,
	status     TEXT NOT NULL CHECK (status IN ('active', 'disabled', 'error')),
	auth_data  TEXT NOT NULL, -- sealed JSON (secretbox), never returned
	settings   TEXT NOT NULL, -- JSON object
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX integrations_project ON integrations (project_id, id);

ALTER TABLE channels ADD COLUMN uuid UUID NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE channels ADD COLUMN status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled', 'error'));
ALTER TABLE channels ADD COLUMN integration_id BIGINT REFERENCES integrations (id);
ALTER TABLE channels ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
ALTER TABLE channels ADD COLUMN updated_at TIMESTAMPTZ;
UPDATE channels SET updated_at = created_at;
ALTER TABLE channels ALTER COLUMN updated_at SET NOT NULL;
-- Every bot's API chat (deleted bots have none).
INSERT INTO channels (project_id, bot_id, kind, name, allowed_origins, site_token, created_at, updated_at)
SELECT project_id, id, 'api', name, '[]', 'api_' || uuid, created_at, created_at
FROM bots WHERE deleted_at IS NULL;
CREATE UNIQUE INDEX channels_uuid ON channels (uuid);
CREATE UNIQUE INDEX channels_bot_api ON channels (bot_id) WHERE kind = 'api';
CREATE INDEX channels_project ON channels (project_id, id);

ALTER TABLE dialogs ADD COLUMN channel_id BIGINT REFERENCES channels (id);
ALTER TABLE dialogs ADD COLUMN deleted_at TIMESTAMPTZ;
UPDATE dialogs SET channel_id = c.id FROM channels c WHERE c.bot_id = dialogs.bot_id AND c.kind = 'api';
CREATE INDEX dialogs_channel_updated ON dialogs (channel_id, updated_at DESC, id DESC);
CREATE INDEX dialogs_project_external ON dialogs (project_id, external_id) WHERE external_id <> '';
