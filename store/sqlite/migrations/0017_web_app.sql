-- Bot files being edited (store.Draft): one per project and bot slug,
-- apart from the published versions, so a draft never runs.
CREATE TABLE drafts (
	project_id   INTEGER NOT NULL REFERENCES projects (id),
	slug         TEXT NOT NULL,
	source       TEXT NOT NULL,
	checksum     TEXT NOT NULL,
	base_version INTEGER NOT NULL,
	author       TEXT NOT NULL,
	updated_at   TEXT NOT NULL,
	PRIMARY KEY (project_id, slug)
) STRICT;

-- Operators' saved replies, by /shortcut (store.CannedReply).
CREATE TABLE canned_replies (
	id         INTEGER PRIMARY KEY,
	project_id INTEGER NOT NULL REFERENCES projects (id),
	shortcut   TEXT NOT NULL,
	text       TEXT NOT NULL,
	author     TEXT NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	UNIQUE (project_id, shortcut)
) STRICT;

-- The web app's signed-in users (store.Session): only a token's SHA-256.
CREATE TABLE sessions (
	id         INTEGER PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	user_id    INTEGER NOT NULL REFERENCES users (id),
	project_id INTEGER NOT NULL REFERENCES projects (id),
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_user_id ON sessions (user_id);

-- Ways a bot is reached besides the API (store.Channel): the chat widget,
-- its site token and the origins that may use it (a JSON list).
CREATE TABLE channels (
	id              INTEGER PRIMARY KEY,
	project_id      INTEGER NOT NULL REFERENCES projects (id),
	bot_id          INTEGER NOT NULL REFERENCES bots (id),
	kind            TEXT NOT NULL,
	name            TEXT NOT NULL,
	allowed_origins TEXT NOT NULL,
	site_token      TEXT NOT NULL UNIQUE,
	created_at      TEXT NOT NULL
) STRICT;
CREATE INDEX channels_bot_id ON channels (bot_id);
