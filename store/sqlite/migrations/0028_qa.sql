-- Questions and their exact answers in a knowledge base (ReplyX's Q&A
-- knowledge): a user's question close enough to one is answered with its
-- answer, without a model. They go with their vector store
-- (DeleteVectorStore).
CREATE TABLE qa_entries (
	id         INTEGER PRIMARY KEY,
	project_id INTEGER NOT NULL REFERENCES projects (id),
	store_id   INTEGER NOT NULL REFERENCES vector_stores (id),
	question   TEXT NOT NULL,
	answer     TEXT NOT NULL,
	tags       TEXT NOT NULL,
	created_at TEXT NOT NULL
) STRICT;
CREATE INDEX qa_entries_store ON qa_entries (project_id, store_id, id);
