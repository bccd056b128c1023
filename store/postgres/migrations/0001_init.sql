-- objects is the one sequence bots and dialogs draw their ids from.
CREATE SEQUENCE objects;

CREATE TABLE organizations (
	id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name       TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);

-- dialog_count is the last dialog number handed out in the project.
CREATE TABLE projects (
	id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	org_id       BIGINT NOT NULL REFERENCES organizations (id),
	name         TEXT NOT NULL,
	dialog_count BIGINT NOT NULL DEFAULT 0,
	created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX projects_org_id ON projects (org_id);

-- email is stored lowercased.
CREATE TABLE users (
	id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	email         TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE memberships (
	id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	user_id    BIGINT NOT NULL REFERENCES users (id),
	project_id BIGINT NOT NULL REFERENCES projects (id),
	role       TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	UNIQUE (user_id, project_id)
);
CREATE INDEX memberships_project_id ON memberships (project_id);

-- Only the SHA-256 of a key is stored.
CREATE TABLE api_keys (
	id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	project_id BIGINT NOT NULL REFERENCES projects (id),
	name       TEXT NOT NULL,
	prefix     TEXT NOT NULL,
	key_hash   TEXT NOT NULL UNIQUE,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX api_keys_project_id ON api_keys (project_id);

CREATE TABLE bots (
	id              BIGINT PRIMARY KEY DEFAULT nextval('objects'),
	uuid            UUID NOT NULL UNIQUE,
	project_id      BIGINT NOT NULL REFERENCES projects (id),
	slug            TEXT NOT NULL,
	name            TEXT NOT NULL,
	current_version INTEGER NOT NULL,
	created_at      TIMESTAMPTZ NOT NULL,
	updated_at      TIMESTAMPTZ NOT NULL,
	UNIQUE (project_id, slug)
);

CREATE TABLE flow_versions (
	bot_id     BIGINT NOT NULL REFERENCES bots (id),
	version    INTEGER NOT NULL,
	source     TEXT NOT NULL,
	checksum   TEXT NOT NULL,
	author     TEXT NOT NULL,
	note       TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (bot_id, version)
);

-- bot_id is NULL for a dialog not (yet) tied to a bot. variables is json,
-- not jsonb: it is only ever read whole, and json keeps what was written.
CREATE TABLE dialogs (
	id            BIGINT PRIMARY KEY DEFAULT nextval('objects'),
	uuid          UUID NOT NULL UNIQUE,
	project_id    BIGINT NOT NULL REFERENCES projects (id),
	number        BIGINT NOT NULL,
	external_id   TEXT NOT NULL,
	source        TEXT NOT NULL,
	ip            TEXT NOT NULL,
	location      TEXT NOT NULL,
	state_seq     BIGINT NOT NULL,
	bot_id        BIGINT REFERENCES bots (id),
	version       INTEGER NOT NULL,
	status        TEXT NOT NULL,
	mode          TEXT NOT NULL,
	node          TEXT NOT NULL,
	variables     JSON NOT NULL,
	pending_count INTEGER NOT NULL,
	title         TEXT NOT NULL,
	last_user_at  TIMESTAMPTZ,
	created_at    TIMESTAMPTZ NOT NULL,
	updated_at    TIMESTAMPTZ NOT NULL,
	UNIQUE (project_id, number)
);
CREATE INDEX dialogs_bot_id ON dialogs (bot_id);

CREATE TABLE messages (
	dialog_id         BIGINT NOT NULL REFERENCES dialogs (id),
	seq               BIGINT NOT NULL,
	id                TEXT NOT NULL UNIQUE,
	role              TEXT NOT NULL,
	text              TEXT NOT NULL,
	buttons           JSON NOT NULL,
	operator          TEXT NOT NULL,
	node              TEXT NOT NULL,
	client_message_id TEXT NOT NULL,
	created_at        TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (dialog_id, seq)
);

CREATE TABLE data_items (
	dialog_id  BIGINT NOT NULL REFERENCES dialogs (id),
	seq        BIGINT NOT NULL,
	question   TEXT NOT NULL,
	type       TEXT NOT NULL,
	answer     TEXT NOT NULL,
	variable   TEXT NOT NULL,
	deleted    BOOLEAN NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (dialog_id, seq)
);
