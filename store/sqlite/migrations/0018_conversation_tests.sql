-- The conversation tests of a bot as the web editor keeps them
-- (store.TestFile): one test file per project and bot slug, which, like a
-- draft, may exist before the bot is published.
CREATE TABLE conversation_tests (
	project_id INTEGER NOT NULL REFERENCES projects (id),
	slug       TEXT NOT NULL,
	source     TEXT NOT NULL,
	checksum   TEXT NOT NULL,
	author     TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	PRIMARY KEY (project_id, slug)
) STRICT;
