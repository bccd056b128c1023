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
