-- A custom block's one-time token, sent to an external service that calls
-- back with it, bound to one attempt of the block's node in a dialog. Only
-- the SHA-256 of the token is stored. completed_at is NULL until the
-- service completes the block, which it may do once.
CREATE TABLE block_tokens (
	id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	project_id   BIGINT NOT NULL REFERENCES projects (id),
	dialog_id    BIGINT NOT NULL REFERENCES dialogs (id),
	node         TEXT NOT NULL,
	attempt      INTEGER NOT NULL,
	token_hash   TEXT NOT NULL UNIQUE,
	expires_at   TIMESTAMPTZ NOT NULL,
	completed_at TIMESTAMPTZ,
	created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX block_tokens_dialog_id ON block_tokens (dialog_id);
