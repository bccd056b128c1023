-- Bot files being edited (store.Draft): one per project and bot slug,
-- apart from the published versions, so a draft never runs.
CREATE TABLE drafts (
	project_id   BIGINT NOT NULL REFERENCES projects (id),
	slug         TEXT NOT NULL,
	source       TEXT NOT NULL,
	checksum     TEXT NOT NULL,
	base_version INTEGER NOT NULL,
	author       TEXT NOT NULL,
	updated_at   TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (project_id, slug)
);

-- Operators' saved replies, by /shortcut (store.CannedReply).
CREATE TABLE canned_replies (
	id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	project_id BIGINT NOT NULL REFERENCES projects (id),
	shortcut   TEXT NOT NULL,
	text       TEXT NOT NULL,
	author     TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	UNIQUE (project_id, shortcut)
);

-- The web app's signed-in users (store.Session): only a token's SHA-256.
CREATE TABLE sessions (
	id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	token_hash TEXT NOT NULL UNIQUE,
	user_id    BIGINT NOT NULL REFERENCES users (id),
	project_id BIGINT NOT NULL REFERENCES projects (id),
	created_at TIMESTAMPTZ NOT NULL,
	expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);

-- Ways a bot is reached besides the API (store.Channel): the chat widget,
-- its site token and the origins that may use it (a JSON list).
CREATE TABLE channels (
	id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	project_id      BIGINT NOT NULL REFERENCES projects (id),
	bot_id          BIGINT NOT NULL REFERENCES bots (id),
	kind            TEXT NOT NULL,
	name            TEXT NOT NULL,
	allowed_origins TEXT NOT NULL,
	site_token      TEXT NOT NULL UNIQUE,
	created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX channels_bot_id ON channels (bot_id);
