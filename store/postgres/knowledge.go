package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

const (
	documentColumns = `id, uuid, project_id, name, mime_type, size, sha256, purpose, created_at`

	// selectVectorStore reads vector stores with the counts their status
	// and file count come from; a query adds WHERE and GROUP BY v.id.
	selectVectorStore = `SELECT v.id, v.uuid, v.project_id, v.name, v.chunk_size, v.chunk_overlap, v.embedder,
		v.dimensions, v.created_at, v.updated_at, count(f.document_id),
		count(*) FILTER (WHERE f.status = 'pending'), count(*) FILTER (WHERE f.status = 'error')
		FROM vector_stores v LEFT JOIN vector_store_files f ON f.store_id = v.id`

	// selectVectorStoreFile reads a store's files with their documents;
	// a query adds WHERE.
	selectVectorStoreFile = `SELECT f.store_id, f.document_id, d.uuid, d.name, f.status, f.error, f.chunk_count,
		f.created_at, f.updated_at
		FROM vector_store_files f JOIN vector_stores v ON v.id = f.store_id JOIN documents d ON d.id = f.document_id`

	// vectorStoreNameIndex is the index that keeps names unique in a project.
	vectorStoreNameIndex = "vector_stores_project_name"
)

func scanDocument(r scanner, d *store.Document) error {
	return r.Scan(&d.ID, &d.UUID, &d.ProjectID, &d.Name, &d.MIMEType, &d.Size, &d.SHA256, &d.Purpose, &d.CreatedAt)
}

func scanVectorStore(r scanner, v *store.VectorStore) error {
	var pending, failed int
	err := r.Scan(&v.ID, &v.UUID, &v.ProjectID, &v.Name, &v.ChunkSize, &v.ChunkOverlap, &v.Embedder,
		&v.Dimensions, &v.CreatedAt, &v.UpdatedAt, &v.FileCount, &pending, &failed)
	if err != nil {
		return err
	}
	v.Status = rules.VectorStoreStatus(pending, failed)
	return nil
}

func scanVectorStoreFile(r scanner, f *store.VectorStoreFile) error {
	return r.Scan(&f.StoreID, &f.DocumentID, &f.UUID, &f.Filename, &f.Status, &f.Error, &f.ChunkCount,
		&f.CreatedAt, &f.UpdatedAt)
}

func scanChunk(r scanner, c *store.Chunk) error {
	var vector []byte
	err := r.Scan(&c.StoreID, &c.DocumentID, &c.Seq, &c.Text, &c.Embedder, &vector, &c.Filename)
	if err != nil {
		return err
	}
	c.Vector, err = rules.DecodeVector(vector)
	return err
}

// isConstraint reports whether err is a violation of the named constraint
// or unique index.
func isConstraint(err error, name string) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.ConstraintName == name
}

// CreateDocument records an uploaded document; see store.KnowledgeStore.
func (d *DB) CreateDocument(ctx context.Context, doc *store.Document) error {
	c, err := rules.Document(*doc)
	if err != nil {
		return err
	}
	c.CreatedAt = d.now()
	err = d.write(ctx, "creating document", func(t *tx) error {
		err := t.queryRow(ctx, `INSERT INTO documents (uuid, project_id, name, mime_type, size, sha256, purpose, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			c.UUID, c.ProjectID, c.Name, c.MIMEType, c.Size, c.SHA256, c.Purpose, c.CreatedAt).Scan(&c.ID)
		switch {
		case isForeignKey(err):
			return rules.NotFound("Project", c.ProjectID)
		case isUnique(err):
			return rules.ErrDocumentUUIDUsed
		}
		return err
	})
	if err != nil {
		return err
	}
	*doc = c
	return nil
}

// Document returns a project's document by UUID; ENOTFOUND if none.
func (d *DB) Document(ctx context.Context, projectID int64, uuid string) (*store.Document, error) {
	doc := &store.Document{}
	err := scanDocument(d.pool.QueryRow(ctx, `SELECT `+documentColumns+` FROM documents WHERE project_id = $1 AND uuid = $2`,
		projectID, uuid), doc)
	if err != nil {
		return nil, wrap("loading document", notFound(err, "Document", uuid))
	}
	return doc, nil
}

// Documents lists a project's documents, newest first.
func (d *DB) Documents(ctx context.Context, projectID int64) ([]store.Document, error) {
	return list(ctx, d, "listing documents", scanDocument, `SELECT `+documentColumns+` FROM documents
		WHERE project_id = $1 ORDER BY created_at DESC, id DESC`, projectID)
}

// DeleteDocument deletes a document with its store files and chunks; see
// store.KnowledgeStore.
func (d *DB) DeleteDocument(ctx context.Context, projectID int64, uuid string) error {
	return d.write(ctx, "deleting document", func(t *tx) error {
		var id int64
		if err := t.queryRow(ctx, `SELECT id FROM documents WHERE project_id = $1 AND uuid = $2 FOR UPDATE`, projectID, uuid).Scan(&id); err != nil {
			return notFound(err, "Document", uuid)
		}
		// Lock its store files first, so chunks being replaced meanwhile
		// are in before they are deleted (see DeleteVectorStoreFile).
		for _, q := range []string{
			`SELECT 1 FROM vector_store_files WHERE document_id = $1 FOR UPDATE`,
			`DELETE FROM chunks WHERE document_id = $1`,
			`DELETE FROM vector_store_files WHERE document_id = $1`,
			`DELETE FROM documents WHERE id = $1`,
		} {
			if _, err := t.exec(ctx, q, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// CreateVectorStore creates a vector store; see store.KnowledgeStore.
func (d *DB) CreateVectorStore(ctx context.Context, v *store.VectorStore) error {
	c, err := rules.VectorStore(*v)
	if err != nil {
		return err
	}
	c.CreatedAt = d.now()
	c.UpdatedAt = c.CreatedAt
	err = d.write(ctx, "creating vector store", func(t *tx) error {
		err := t.queryRow(ctx, `INSERT INTO vector_stores (uuid, project_id, name, chunk_size, chunk_overlap, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			c.UUID, c.ProjectID, c.Name, c.ChunkSize, c.ChunkOverlap, c.CreatedAt, c.UpdatedAt).Scan(&c.ID)
		switch {
		case isForeignKey(err):
			return rules.NotFound("Project", c.ProjectID)
		case isConstraint(err, vectorStoreNameIndex):
			return rules.ErrVectorStoreNameUsed
		case isUnique(err):
			return rules.ErrVectorStoreUUIDUsed
		}
		return err
	})
	if err != nil {
		return err
	}
	*v = c
	return nil
}

// VectorStore returns a project's vector store by UUID, or by name when no
// UUID matches; ENOTFOUND if none.
func (d *DB) VectorStore(ctx context.Context, projectID int64, uuidOrName string) (*store.VectorStore, error) {
	v := &store.VectorStore{}
	err := scanVectorStore(d.pool.QueryRow(ctx, selectVectorStore+`
		WHERE v.project_id = $1 AND (v.uuid = $2 OR (v.name = $2 AND v.name <> ''))
		GROUP BY v.id ORDER BY v.uuid = $2 DESC LIMIT 1`, projectID, uuidOrName), v)
	if err != nil {
		return nil, wrap("loading vector store", notFound(err, "Vector store", uuidOrName))
	}
	return v, nil
}

// VectorStores lists a project's vector stores, newest first.
func (d *DB) VectorStores(ctx context.Context, projectID int64) ([]store.VectorStore, error) {
	return list(ctx, d, "listing vector stores", scanVectorStore, selectVectorStore+`
		WHERE v.project_id = $1 GROUP BY v.id ORDER BY v.created_at DESC, v.id DESC`, projectID)
}

// RenameVectorStore changes a store's name and returns the store; see
// store.KnowledgeStore.
func (d *DB) RenameVectorStore(ctx context.Context, projectID int64, uuid, name string) (*store.VectorStore, error) {
	v := &store.VectorStore{}
	err := d.write(ctx, "renaming vector store", func(t *tx) error {
		var id int64
		err := t.queryRow(ctx, `UPDATE vector_stores SET name = $1, updated_at = $2 WHERE project_id = $3 AND uuid = $4 RETURNING id`,
			name, d.now(), projectID, uuid).Scan(&id)
		if isConstraint(err, vectorStoreNameIndex) {
			return rules.ErrVectorStoreNameUsed
		}
		if err != nil {
			return notFound(err, "Vector store", uuid)
		}
		return scanVectorStore(t.queryRow(ctx, selectVectorStore+` WHERE v.id = $1 GROUP BY v.id`, id), v)
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// lockVectorStore locks a project's vector store by UUID for deleting,
// returning its id; ENOTFOUND if none. Files cannot be added to it while
// it is locked (their foreign key checks wait).
func (t *tx) lockVectorStore(ctx context.Context, projectID int64, uuid string) (int64, error) {
	var id int64
	err := t.queryRow(ctx, `SELECT id FROM vector_stores WHERE project_id = $1 AND uuid = $2 FOR UPDATE`, projectID, uuid).Scan(&id)
	return id, notFound(err, "Vector store", uuid)
}

// ClaimEmbedder records which embedder indexes a store; see
// store.KnowledgeStore. EINVALID for an empty name or non-positive
// dimensions; ENOTFOUND for an unknown store. The store's row is locked
// first, so of two concurrent first claims one wins and the other
// conflicts or agrees.
func (d *DB) ClaimEmbedder(ctx context.Context, storeID int64, embedder string, dims int) error {
	if err := rules.CheckEmbedder(embedder, dims); err != nil {
		return err
	}
	embedder = rules.Clean(embedder)
	return d.write(ctx, "claiming embedder", func(t *tx) error {
		var have string
		var haveDims int
		err := t.queryRow(ctx, `SELECT embedder, dimensions FROM vector_stores WHERE id = $1 FOR NO KEY UPDATE`,
			storeID).Scan(&have, &haveDims)
		switch {
		case err != nil:
			return notFound(err, "Vector store", storeID)
		case have == embedder && haveDims == dims:
			return nil
		case have != "":
			return rules.ErrEmbedderClaimed(have, haveDims)
		}
		_, err = t.exec(ctx, `UPDATE vector_stores SET embedder = $1, dimensions = $2, updated_at = $3 WHERE id = $4`,
			embedder, dims, d.now(), storeID)
		return err
	})
}

// DeleteVectorStore deletes a store with its files and chunks; see
// store.KnowledgeStore. The store and its files are locked first, so that
// files being added or chunks being replaced meanwhile wait, and then find
// them gone.
func (d *DB) DeleteVectorStore(ctx context.Context, projectID int64, uuid string) error {
	return d.write(ctx, "deleting vector store", func(t *tx) error {
		id, err := t.lockVectorStore(ctx, projectID, uuid)
		if err != nil {
			return err
		}
		for _, q := range []string{
			`SELECT 1 FROM vector_store_files WHERE store_id = $1 FOR UPDATE`,
			`DELETE FROM chunks WHERE store_id = $1`,
			`DELETE FROM vector_store_files WHERE store_id = $1`,
			`DELETE FROM vector_stores WHERE id = $1`,
		} {
			if _, err := t.exec(ctx, q, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// AddVectorStoreFile adds a document to a store with status pending, or
// returns the file already there; see store.KnowledgeStore.
func (d *DB) AddVectorStoreFile(ctx context.Context, projectID int64, storeUUID, documentUUID string) (*store.VectorStoreFile, error) {
	f := &store.VectorStoreFile{}
	err := d.write(ctx, "adding vector store file", func(t *tx) error {
		var storeID, documentID int64
		err := t.queryRow(ctx, `SELECT id FROM vector_stores WHERE project_id = $1 AND uuid = $2`, projectID, storeUUID).Scan(&storeID)
		if err != nil {
			return notFound(err, "Vector store", storeUUID)
		}
		err = t.queryRow(ctx, `SELECT id FROM documents WHERE project_id = $1 AND uuid = $2`, projectID, documentUUID).Scan(&documentID)
		if err != nil {
			return notFound(err, "Document", documentUUID)
		}
		now := d.now()
		_, err = t.exec(ctx, `INSERT INTO vector_store_files (store_id, document_id, status, error, chunk_count, created_at, updated_at)
			VALUES ($1, $2, $3, '', 0, $4, $4) ON CONFLICT (store_id, document_id) DO NOTHING`,
			storeID, documentID, store.FilePending, now)
		if isForeignKey(err) { // the store was deleted meanwhile
			return rules.NotFound("Vector store", storeUUID)
		}
		if err != nil {
			return err
		}
		return scanVectorStoreFile(t.queryRow(ctx, selectVectorStoreFile+` WHERE f.store_id = $1 AND f.document_id = $2`,
			storeID, documentID), f)
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// VectorStoreFile returns one file of a store by the document's UUID;
// ENOTFOUND if none.
func (d *DB) VectorStoreFile(ctx context.Context, projectID int64, storeUUID, documentUUID string) (*store.VectorStoreFile, error) {
	f := &store.VectorStoreFile{}
	err := scanVectorStoreFile(d.pool.QueryRow(ctx, selectVectorStoreFile+`
		WHERE v.project_id = $1 AND v.uuid = $2 AND d.uuid = $3`, projectID, storeUUID, documentUUID), f)
	if err != nil {
		return nil, wrap("loading vector store file", notFound(err, "Vector store file", documentUUID))
	}
	return f, nil
}

// VectorStoreFiles lists a store's files, newest first; ENOTFOUND if the
// store is not the project's. The store and its files are read in one
// read-only REPEATABLE READ transaction, one snapshot.
func (d *DB) VectorStoreFiles(ctx context.Context, projectID int64, storeUUID string) ([]store.VectorStoreFile, error) {
	t, err := d.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, wrap("listing vector store files", err)
	}
	defer t.Rollback(ctx) // it only reads
	var storeID int64
	err = t.QueryRow(ctx, `SELECT id FROM vector_stores WHERE project_id = $1 AND uuid = $2`, projectID, storeUUID).Scan(&storeID)
	if err != nil {
		return nil, wrap("listing vector store files", notFound(err, "Vector store", storeUUID))
	}
	rows, err := t.Query(ctx, selectVectorStoreFile+` WHERE f.store_id = $1 ORDER BY f.created_at DESC, f.document_id DESC`, storeID)
	if err != nil {
		return nil, wrap("listing vector store files", err)
	}
	files, err := collect(rows, scanVectorStoreFile)
	if err != nil {
		return nil, wrap("listing vector store files", err)
	}
	return files, nil
}

// SetVectorStoreFileStatus records how indexing went; see
// store.KnowledgeStore. EINVALID also for a negative chunk count.
func (d *DB) SetVectorStoreFileStatus(ctx context.Context, storeID, documentID int64, status, reason string, chunks int) error {
	reason, chunks, err := rules.FileStatus(status, reason, chunks)
	if err != nil {
		return err
	}
	return d.write(ctx, "setting vector store file status", func(t *tx) error {
		tag, err := t.exec(ctx, `UPDATE vector_store_files SET status = $1, error = $2, chunk_count = $3, updated_at = $4
			WHERE store_id = $5 AND document_id = $6`, status, reason, chunks, d.now(), storeID, documentID)
		if err == nil && tag.RowsAffected() == 0 {
			return rules.NotFound("Vector store file", documentID)
		}
		return err
	})
}

// DeleteVectorStoreFile removes a document from a store with its chunks;
// ENOTFOUND if it is not there. The file is locked first, so chunks being
// replaced meanwhile are in before they are deleted, or find it gone.
func (d *DB) DeleteVectorStoreFile(ctx context.Context, projectID int64, storeUUID, documentUUID string) error {
	return d.write(ctx, "deleting vector store file", func(t *tx) error {
		var storeID, documentID int64
		err := t.queryRow(ctx, `SELECT f.store_id, f.document_id FROM vector_store_files f
			JOIN vector_stores v ON v.id = f.store_id JOIN documents d ON d.id = f.document_id
			WHERE v.project_id = $1 AND v.uuid = $2 AND d.uuid = $3 FOR UPDATE OF f`,
			projectID, storeUUID, documentUUID).Scan(&storeID, &documentID)
		if err != nil {
			return notFound(err, "Vector store file", documentUUID)
		}
		for _, q := range []string{
			`DELETE FROM chunks WHERE store_id = $1 AND document_id = $2`,
			`DELETE FROM vector_store_files WHERE store_id = $1 AND document_id = $2`,
		} {
			if _, err := t.exec(ctx, q, storeID, documentID); err != nil {
				return err
			}
		}
		return nil
	})
}

// ReplaceChunks sets the chunks of one document in one store; see
// store.KnowledgeStore. EINVALID also for a negative or repeated Seq. The
// file's row is locked first, so two replacements of one document take
// turns rather than collide.
func (d *DB) ReplaceChunks(ctx context.Context, storeID, documentID int64, chunks []store.Chunk) error {
	if err := rules.CheckChunks(chunks); err != nil {
		return err
	}
	return d.write(ctx, "replacing chunks", func(t *tx) error {
		var one int
		err := t.queryRow(ctx, `SELECT 1 FROM vector_store_files WHERE store_id = $1 AND document_id = $2 FOR NO KEY UPDATE`,
			storeID, documentID).Scan(&one)
		if err != nil {
			return notFound(err, "Vector store file", documentID)
		}
		if _, err := t.exec(ctx, `DELETE FROM chunks WHERE store_id = $1 AND document_id = $2`, storeID, documentID); err != nil {
			return err
		}
		if len(chunks) == 0 {
			return nil
		}
		rows := make([][]any, len(chunks))
		for i, c := range chunks {
			rows[i] = []any{storeID, documentID, c.Seq, rules.Clean(c.Text), rules.Clean(c.Embedder), rules.Vector(c.Vector)}
		}
		_, err = t.CopyFrom(ctx, pgx.Identifier{"chunks"},
			[]string{"store_id", "document_id", "seq", "text", "embedder", "vector"}, pgx.CopyFromRows(rows))
		return err
	})
}

// Chunks returns every chunk of the given stores of a project, ordered by
// store, document and Seq; stores of other projects are ignored.
func (d *DB) Chunks(ctx context.Context, projectID int64, storeIDs []int64) ([]store.Chunk, error) {
	if len(storeIDs) == 0 {
		return []store.Chunk{}, nil
	}
	return list(ctx, d, "listing chunks", scanChunk, `SELECT c.store_id, c.document_id, c.seq, c.text, c.embedder, c.vector, d.name
		FROM chunks c JOIN vector_stores v ON v.id = c.store_id JOIN documents d ON d.id = c.document_id
		WHERE v.project_id = $1 AND c.store_id = ANY($2)
		ORDER BY c.store_id, c.document_id, c.seq`, projectID, storeIDs)
}
