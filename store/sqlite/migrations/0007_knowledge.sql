-- Knowledge: documents uploaded for it, vector stores, the documents
-- added to them and, for the embedded index, their chunks with vectors.
--
-- A document's bytes live on disk, named by their SHA-256, as files'
-- do. uuid is "file-..." for documents and "vs_..." for vector stores.
CREATE TABLE documents (
	id         INTEGER PRIMARY KEY,
	uuid       TEXT NOT NULL UNIQUE,
	project_id INTEGER NOT NULL REFERENCES projects (id),
	name       TEXT NOT NULL,
	mime_type  TEXT NOT NULL,
	size       INTEGER NOT NULL CHECK (size >= 0),
	sha256     TEXT NOT NULL,
	purpose    TEXT NOT NULL,
	created_at TEXT NOT NULL
) STRICT;

-- A vector store's status and file count are not stored: reads compute
-- them from its files. embedder is '' (and dimensions 0) until the first
-- file is embedded. A name, when not empty, is unique in its project.
CREATE TABLE vector_stores (
	id            INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: an index may still hold a deleted store's id
	uuid          TEXT NOT NULL UNIQUE,
	project_id    INTEGER NOT NULL REFERENCES projects (id),
	name          TEXT NOT NULL,
	chunk_size    INTEGER NOT NULL CHECK (chunk_size >= 0),
	chunk_overlap INTEGER NOT NULL CHECK (chunk_overlap >= 0),
	embedder      TEXT NOT NULL DEFAULT '',
	dimensions    INTEGER NOT NULL DEFAULT 0,
	created_at    TEXT NOT NULL,
	updated_at    TEXT NOT NULL
) STRICT;
CREATE INDEX vector_stores_project_id ON vector_stores (project_id);
CREATE UNIQUE INDEX vector_stores_project_name ON vector_stores (project_id, name) WHERE name <> '';

-- A document added to a vector store. error says why indexing failed,
-- for status 'error'.
CREATE TABLE vector_store_files (
	store_id    INTEGER NOT NULL REFERENCES vector_stores (id),
	document_id INTEGER NOT NULL REFERENCES documents (id),
	status      TEXT NOT NULL CHECK (status IN ('pending', 'processed', 'error')),
	error       TEXT NOT NULL,
	chunk_count INTEGER NOT NULL CHECK (chunk_count >= 0),
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL,
	PRIMARY KEY (store_id, document_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX vector_store_files_document_id ON vector_store_files (document_id);

-- A piece of a document in a store with its embedding: vector is the
-- little-endian float32s of the embedder's output.
CREATE TABLE chunks (
	store_id    INTEGER NOT NULL,
	document_id INTEGER NOT NULL,
	seq         INTEGER NOT NULL CHECK (seq >= 0),
	text        TEXT NOT NULL,
	embedder    TEXT NOT NULL,
	vector      BLOB NOT NULL,
	PRIMARY KEY (store_id, document_id, seq),
	FOREIGN KEY (store_id, document_id) REFERENCES vector_store_files (store_id, document_id)
) STRICT;

-- The Markdown block of facts the model keeps about a dialog.
ALTER TABLE dialogs ADD COLUMN working_memory TEXT NOT NULL DEFAULT '';

-- The knowledge chunks an answer was written from: a JSON list, NULL for
-- a message that used none.
ALTER TABLE messages ADD COLUMN sources TEXT;
