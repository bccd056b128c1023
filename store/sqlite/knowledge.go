package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

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
)

func scanDocument(r scanner, d *store.Document) error {
	return r.Scan(&d.ID, &d.UUID, &d.ProjectID, &d.Name, &d.MIMEType, &d.Size, &d.SHA256, &d.Purpose,
		timeScanner{&d.CreatedAt})
}

func scanVectorStore(r scanner, v *store.VectorStore) error {
	var pending, failed int
	err := r.Scan(&v.ID, &v.UUID, &v.ProjectID, &v.Name, &v.ChunkSize, &v.ChunkOverlap, &v.Embedder,
		&v.Dimensions, timeScanner{&v.CreatedAt}, timeScanner{&v.UpdatedAt}, &v.FileCount, &pending, &failed)
	if err != nil {
		return err
	}
	v.Status = rules.VectorStoreStatus(pending, failed)
	return nil
}

func scanVectorStoreFile(r scanner, f *store.VectorStoreFile) error {
	return r.Scan(&f.StoreID, &f.DocumentID, &f.UUID, &f.Filename, &f.Status, &f.Error, &f.ChunkCount,
		timeScanner{&f.CreatedAt}, timeScanner{&f.UpdatedAt})
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

// CreateDocument records an uploaded document; see store.KnowledgeStore.
func (d *DB) CreateDocument(ctx context.Context, doc *store.Document) error {
	c, err := rules.Document(*doc)
	if err != nil {
		return err
	}
	c.CreatedAt = d.now()
	err = d.write(ctx, "creating document", func(t *tx) error {
		var one int
		if err := t.queryRow(ctx, `SELECT 1 FROM projects WHERE id = ?`, c.ProjectID).Scan(&one); err != nil {
			return notFound(err, "Project", c.ProjectID)
		}
		err := t.queryRow(ctx, `INSERT INTO documents (uuid, project_id, name, mime_type, size, sha256, purpose, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.UUID, c.ProjectID, c.Name, c.MIMEType, c.Size, c.SHA256, c.Purpose, ts(c.CreatedAt)).Scan(&c.ID)
		if isUnique(err) {
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
	err := scanDocument(d.reader.QueryRowContext(ctx, `SELECT `+documentColumns+` FROM documents WHERE project_id = ? AND uuid = ?`,
		projectID, uuid), doc)
	if err != nil {
		return nil, wrap("loading document", notFound(err, "Document", uuid))
	}
	return doc, nil
}

// Documents lists a project's documents, newest first.
func (d *DB) Documents(ctx context.Context, projectID int64) ([]store.Document, error) {
	return list(ctx, d, "listing documents", scanDocument, `SELECT `+documentColumns+` FROM documents
		WHERE project_id = ? ORDER BY created_at DESC, id DESC`, projectID)
}

// DeleteDocument deletes a document with its store files and chunks; see
// store.KnowledgeStore.
func (d *DB) DeleteDocument(ctx context.Context, projectID int64, uuid string) error {
	return d.write(ctx, "deleting document", func(t *tx) error {
		var id int64
		if err := t.queryRow(ctx, `SELECT id FROM documents WHERE project_id = ? AND uuid = ?`, projectID, uuid).Scan(&id); err != nil {
			return notFound(err, "Document", uuid)
		}
		for _, q := range []string{
			`DELETE FROM chunks WHERE document_id = ?`,
			`DELETE FROM vector_store_files WHERE document_id = ?`,
			`DELETE FROM documents WHERE id = ?`,
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
		var one int
		if err := t.queryRow(ctx, `SELECT 1 FROM projects WHERE id = ?`, c.ProjectID).Scan(&one); err != nil {
			return notFound(err, "Project", c.ProjectID)
		}
		if err := t.checkVectorStoreName(ctx, c.ProjectID, 0, c.Name); err != nil {
			return err
		}
		err := t.queryRow(ctx, `INSERT INTO vector_stores (uuid, project_id, name, chunk_size, chunk_overlap, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.UUID, c.ProjectID, c.Name, c.ChunkSize, c.ChunkOverlap, ts(c.CreatedAt), ts(c.UpdatedAt)).Scan(&c.ID)
		if isUnique(err) {
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

// checkVectorStoreName returns ECONFLICT if a store of the project other
// than id has the non-empty name. The unique index would refuse it too,
// but its error does not say which index, and the UUID's is another.
func (t *tx) checkVectorStoreName(ctx context.Context, projectID, id int64, name string) error {
	if name == "" {
		return nil
	}
	var one int
	err := t.queryRow(ctx, `SELECT 1 FROM vector_stores WHERE project_id = ? AND name = ? AND id <> ?`, projectID, name, id).Scan(&one)
	switch {
	case err == nil:
		return rules.ErrVectorStoreNameUsed
	case errors.Is(err, sql.ErrNoRows):
		return nil
	}
	return err
}

// VectorStore returns a project's vector store by UUID, or by name when no
// UUID matches; ENOTFOUND if none.
func (d *DB) VectorStore(ctx context.Context, projectID int64, uuidOrName string) (*store.VectorStore, error) {
	v := &store.VectorStore{}
	err := scanVectorStore(d.reader.QueryRowContext(ctx, selectVectorStore+`
		WHERE v.project_id = ? AND (v.uuid = ? OR (v.name = ? AND v.name <> ''))
		GROUP BY v.id ORDER BY v.uuid = ? DESC LIMIT 1`, projectID, uuidOrName, uuidOrName, uuidOrName), v)
	if err != nil {
		return nil, wrap("loading vector store", notFound(err, "Vector store", uuidOrName))
	}
	return v, nil
}

// VectorStores lists a project's vector stores, newest first.
func (d *DB) VectorStores(ctx context.Context, projectID int64) ([]store.VectorStore, error) {
	return list(ctx, d, "listing vector stores", scanVectorStore, selectVectorStore+`
		WHERE v.project_id = ? GROUP BY v.id ORDER BY v.created_at DESC, v.id DESC`, projectID)
}

// RenameVectorStore changes a store's name and returns the store; see
// store.KnowledgeStore.
func (d *DB) RenameVectorStore(ctx context.Context, projectID int64, uuid, name string) (*store.VectorStore, error) {
	name = rules.Clean(name)
	v := &store.VectorStore{}
	err := d.write(ctx, "renaming vector store", func(t *tx) error {
		id, err := t.vectorStoreID(ctx, projectID, uuid)
		if err != nil {
			return err
		}
		if err := t.checkVectorStoreName(ctx, projectID, id, name); err != nil {
			return err
		}
		_, err = t.exec(ctx, `UPDATE vector_stores SET name = ?, updated_at = ? WHERE id = ?`, name, ts(d.now()), id)
		if isUnique(err) {
			return rules.ErrVectorStoreNameUsed
		}
		if err != nil {
			return err
		}
		return scanVectorStore(t.queryRow(ctx, selectVectorStore+` WHERE v.id = ? GROUP BY v.id`, id), v)
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// vectorStoreID returns the id of a project's vector store by UUID;
// ENOTFOUND if none.
func (t *tx) vectorStoreID(ctx context.Context, projectID int64, uuid string) (int64, error) {
	var id int64
	err := t.queryRow(ctx, `SELECT id FROM vector_stores WHERE project_id = ? AND uuid = ?`, projectID, uuid).Scan(&id)
	return id, notFound(err, "Vector store", uuid)
}

// ClaimEmbedder records which embedder indexes a store; see
// store.KnowledgeStore. EINVALID for an empty name or non-positive
// dimensions; ENOTFOUND for an unknown store.
func (d *DB) ClaimEmbedder(ctx context.Context, storeID int64, embedder string, dims int) error {
	if err := rules.CheckEmbedder(embedder, dims); err != nil {
		return err
	}
	embedder = rules.Clean(embedder)
	return d.write(ctx, "claiming embedder", func(t *tx) error {
		var have string
		var haveDims int
		err := t.queryRow(ctx, `SELECT embedder, dimensions FROM vector_stores WHERE id = ?`, storeID).Scan(&have, &haveDims)
		switch {
		case err != nil:
			return notFound(err, "Vector store", storeID)
		case have == embedder && haveDims == dims:
			return nil
		case have != "":
			return rules.ErrEmbedderClaimed(have, haveDims)
		}
		_, err = t.exec(ctx, `UPDATE vector_stores SET embedder = ?, dimensions = ?, updated_at = ? WHERE id = ?`,
			embedder, dims, ts(d.now()), storeID)
		return err
	})
}

// DeleteVectorStore deletes a store with its files and chunks; see
// store.KnowledgeStore.
func (d *DB) DeleteVectorStore(ctx context.Context, projectID int64, uuid string) error {
	return d.write(ctx, "deleting vector store", func(t *tx) error {
		id, err := t.vectorStoreID(ctx, projectID, uuid)
		if err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM chunks WHERE store_id = ?`,
			`DELETE FROM vector_store_files WHERE store_id = ?`,
			`DELETE FROM vector_stores WHERE id = ?`,
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
		storeID, err := t.vectorStoreID(ctx, projectID, storeUUID)
		if err != nil {
			return err
		}
		var documentID int64
		err = t.queryRow(ctx, `SELECT id FROM documents WHERE project_id = ? AND uuid = ?`, projectID, documentUUID).Scan(&documentID)
		if err != nil {
			return notFound(err, "Document", documentUUID)
		}
		now := ts(d.now())
		_, err = t.exec(ctx, `INSERT INTO vector_store_files (store_id, document_id, status, error, chunk_count, created_at, updated_at)
			VALUES (?, ?, ?, '', 0, ?, ?) ON CONFLICT (store_id, document_id) DO NOTHING`,
			storeID, documentID, store.FilePending, now, now)
		if err != nil {
			return err
		}
		return scanVectorStoreFile(t.queryRow(ctx, selectVectorStoreFile+` WHERE f.store_id = ? AND f.document_id = ?`,
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
	err := scanVectorStoreFile(d.reader.QueryRowContext(ctx, selectVectorStoreFile+`
		WHERE v.project_id = ? AND v.uuid = ? AND d.uuid = ?`, projectID, storeUUID, documentUUID), f)
	if err != nil {
		return nil, wrap("loading vector store file", notFound(err, "Vector store file", documentUUID))
	}
	return f, nil
}

// VectorStoreFiles lists a store's files, newest first; ENOTFOUND if the
// store is not the project's. The store and its files are read in one
// transaction.
func (d *DB) VectorStoreFiles(ctx context.Context, projectID int64, storeUUID string) ([]store.VectorStoreFile, error) {
	t, err := d.reader.BeginTx(ctx, nil)
	if err != nil {
		return nil, wrap("listing vector store files", err)
	}
	defer t.Rollback() // it only reads
	var storeID int64
	err = t.QueryRowContext(ctx, `SELECT id FROM vector_stores WHERE project_id = ? AND uuid = ?`, projectID, storeUUID).Scan(&storeID)
	if err != nil {
		return nil, wrap("listing vector store files", notFound(err, "Vector store", storeUUID))
	}
	rows, err := t.QueryContext(ctx, selectVectorStoreFile+` WHERE f.store_id = ? ORDER BY f.created_at DESC, f.document_id DESC`, storeID)
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
		res, err := t.exec(ctx, `UPDATE vector_store_files SET status = ?, error = ?, chunk_count = ?, updated_at = ?
			WHERE store_id = ? AND document_id = ?`, status, reason, chunks, ts(d.now()), storeID, documentID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err == nil && n == 0 {
			return rules.NotFound("Vector store file", documentID)
		}
		return err
	})
}

// DeleteVectorStoreFile removes a document from a store with its chunks;
// ENOTFOUND if it is not there.
func (d *DB) DeleteVectorStoreFile(ctx context.Context, projectID int64, storeUUID, documentUUID string) error {
	return d.write(ctx, "deleting vector store file", func(t *tx) error {
		var storeID, documentID int64
		err := t.queryRow(ctx, `SELECT f.store_id, f.document_id FROM vector_store_files f
			JOIN vector_stores v ON v.id = f.store_id JOIN documents d ON d.id = f.document_id
			WHERE v.project_id = ? AND v.uuid = ? AND d.uuid = ?`, projectID, storeUUID, documentUUID).Scan(&storeID, &documentID)
		if err != nil {
			return notFound(err, "Vector store file", documentUUID)
		}
		for _, q := range []string{
			`DELETE FROM chunks WHERE store_id = ? AND document_id = ?`,
			`DELETE FROM vector_store_files WHERE store_id = ? AND document_id = ?`,
		} {
			if _, err := t.exec(ctx, q, storeID, documentID); err != nil {
				return err
			}
		}
		return nil
	})
}

// ReplaceChunks sets the chunks of one document in one store; see
// store.KnowledgeStore. EINVALID also for a negative or repeated Seq.
func (d *DB) ReplaceChunks(ctx context.Context, storeID, documentID int64, chunks []store.Chunk) error {
	if err := rules.CheckChunks(chunks); err != nil {
		return err
	}
	return d.write(ctx, "replacing chunks", func(t *tx) error {
		var one int
		err := t.queryRow(ctx, `SELECT 1 FROM vector_store_files WHERE store_id = ? AND document_id = ?`, storeID, documentID).Scan(&one)
		if err != nil {
			return notFound(err, "Vector store file", documentID)
		}
		if _, err := t.exec(ctx, `DELETE FROM chunks WHERE store_id = ? AND document_id = ?`, storeID, documentID); err != nil {
			return err
		}
		if len(chunks) == 0 {
			return nil
		}
		// One statement prepared for the batch, not parsed per chunk.
		st, err := t.PrepareContext(ctx, `INSERT INTO chunks (store_id, document_id, seq, text, embedder, vector)
			VALUES (?, ?, ?, ?, ?, ?)`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, c := range chunks {
			_, err := st.ExecContext(ctx, rules.CleanArgs([]any{storeID, documentID, c.Seq, c.Text, c.Embedder, rules.Vector(c.Vector)})...)
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// Chunks returns every chunk of the given stores of a project, ordered by
// store, document and Seq; stores of other projects are ignored.
func (d *DB) Chunks(ctx context.Context, projectID int64, storeIDs []int64) ([]store.Chunk, error) {
	if len(storeIDs) == 0 {
		return []store.Chunk{}, nil
	}
	args := make([]any, 0, len(storeIDs)+1)
	args = append(args, projectID)
	for _, id := range storeIDs {
		args = append(args, id)
	}
	marks := strings.Repeat(", ?", len(storeIDs))[2:]
	return list(ctx, d, "listing chunks", scanChunk, `SELECT c.store_id, c.document_id, c.seq, c.text, c.embedder, c.vector, d.name
		FROM chunks c JOIN vector_stores v ON v.id = c.store_id JOIN documents d ON d.id = c.document_id
		WHERE v.project_id = ? AND c.store_id IN (`+marks+`)
		ORDER BY c.store_id, c.document_id, c.seq`, args...)
}
