-- Times are TEXT in UTC, "2006-01-02T15:04:05.000000Z": fixed width, so they
-- sort as text, and readable in the sqlite3 shell.

-- objects is the one sequence bots and dialogs draw their ids from.
CREATE TABLE sequences (
	name  TEXT PRIMARY KEY,
	value INTEGER NOT NULL
) STRICT;
INSERT INTO sequences (name, value) VALUES ('objects', 0);

CREATE TABLE organizations (
	id         INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	created_at TEXT NOT NULL
) STRICT;

-- dialog_count is the last dialog number handed out in the project.
CREATE TABLE projects (
	id           INTEGER PRIMARY KEY,
	org_id       INTEGER NOT NULL REFERENCES organizations (id),
	name         TEXT NOT NULL,
	dialog_count INTEGER NOT NULL DEFAULT 0,
	created_at   TEXT NOT NULL
) STRICT;
CREATE INDEX projects_org_id ON projects (org_id);

-- email is stored lowercased.
CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	email         TEXT NOT NULL UNIQUE,
	name          TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	created_at    TEXT NOT NULL
) STRICT;

CREATE TABLE memberships (
	id         INTEGER PRIMARY KEY,
	user_id    INTEGER NOT NULL REFERENCES users (id),
	project_id INTEGER NOT NULL REFERENCES projects (id),
	role       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	UNIQUE (user_id, project_id)
) STRICT;
CREATE INDEX memberships_project_id ON memberships (project_id);

-- Only the SHA-256 of a key is stored.
CREATE TABLE api_keys (
	id         INTEGER PRIMARY KEY,
	project_id INTEGER NOT NULL REFERENCES projects (id),
	name       TEXT NOT NULL,
	prefix     TEXT NOT NULL,
	key_hash   TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL
) STRICT;
CREATE INDEX api_keys_project_id ON api_keys (project_id);

CREATE TABLE bots (
	id              INTEGER PRIMARY KEY,
	uuid            TEXT NOT NULL UNIQUE,
	project_id      INTEGER NOT NULL REFERENCES projects (id),
	slug            TEXT NOT NULL,
	name            TEXT NOT NULL,
	current_version INTEGER NOT NULL,
	created_at      TEXT NOT NULL,
	updated_at      TEXT NOT NULL,
	UNIQUE (project_id, slug)
) STRICT;

CREATE TABLE flow_versions (
	bot_id     INTEGER NOT NULL REFERENCES bots (id),
	version    INTEGER NOT NULL,
	source     TEXT NOT NULL,
	checksum   TEXT NOT NULL,
	author     TEXT NOT NULL,
	note       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (bot_id, version)
) STRICT;

-- bot_id is NULL for a dialog not (yet) tied to a bot; variables is JSON.
CREATE TABLE dialogs (
	id            INTEGER PRIMARY KEY,
	uuid          TEXT NOT NULL UNIQUE,
	project_id    INTEGER NOT NULL REFERENCES projects (id),
	number        INTEGER NOT NULL,
	external_id   TEXT NOT NULL,
	source        TEXT NOT NULL,
	ip            TEXT NOT NULL,
	location      TEXT NOT NULL,
	state_seq     INTEGER NOT NULL,
	bot_id        INTEGER REFERENCES bots (id),
	version       INTEGER NOT NULL,
	status        TEXT NOT NULL,
	mode          TEXT NOT NULL,
	node          TEXT NOT NULL,
	variables     TEXT NOT NULL,
	pending_count INTEGER NOT NULL,
	title         TEXT NOT NULL,
	last_user_at  TEXT,
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL,
	UNIQUE (project_id, number)
) STRICT;
CREATE INDEX dialogs_bot_id ON dialogs (bot_id);

-- buttons is a JSON list.
CREATE TABLE messages (
	dialog_id         INTEGER NOT NULL REFERENCES dialogs (id),
	seq               INTEGER NOT NULL,
	id                TEXT NOT NULL UNIQUE,
	role              TEXT NOT NULL,
	text              TEXT NOT NULL,
	buttons           TEXT NOT NULL,
	operator          TEXT NOT NULL,
	node              TEXT NOT NULL,
	client_message_id TEXT NOT NULL,
	created_at        TEXT NOT NULL,
	PRIMARY KEY (dialog_id, seq)
) STRICT;

CREATE TABLE data_items (
	dialog_id  INTEGER NOT NULL REFERENCES dialogs (id),
	seq        INTEGER NOT NULL,
	question   TEXT NOT NULL,
	type       TEXT NOT NULL,
	answer     TEXT NOT NULL,
	variable   TEXT NOT NULL,
	deleted    INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (dialog_id, seq)
) STRICT;
