-- Files users upload into dialogs. The bytes live on disk, named by their
-- SHA-256 (sha256, lowercase hex); a row is only the upload's record, so
-- the same content uploaded twice is two rows naming one blob. Ids come
-- from the table's own sequence, not from objects.
CREATE TABLE files (
	id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	project_id BIGINT NOT NULL REFERENCES projects (id),
	dialog_id  BIGINT NOT NULL REFERENCES dialogs (id),
	name       TEXT NOT NULL,
	mime_type  TEXT NOT NULL,
	size       BIGINT NOT NULL,
	sha256     TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX files_dialog_id ON files (dialog_id);
