package sqldb

import (
	"context"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

// selectVectorStoreFile reads a store's files with their documents; a
// query adds WHERE.
const selectVectorStoreFile = `SELECT f.store_id, f.document_id, d.uuid, d.name, f.status, f.error, f.chunk_count,
	f.created_at, f.updated_at
	FROM vector_store_files f JOIN vector_stores v ON v.id = f.store_id JOIN documents d ON d.id = f.document_id`

func scanVectorStoreFile(r scanner, f *store.VectorStoreFile) error {
	return r.Scan(&f.StoreID, &f.DocumentID, &f.UUID, &f.Filename, &f.Status, &f.Error, &f.ChunkCount,
		timeScanner{&f.CreatedAt}, timeScanner{&f.UpdatedAt})
}

// AddVectorStoreFile adds a document to a store with status pending, or
// returns the file already there; see store.KnowledgeStore.
func (d *DB) AddVectorStoreFile(ctx context.Context, projectID int64, storeUUID, documentUUID string) (*store.VectorStoreFile, error) {
	f := &store.VectorStoreFile{}
	err := d.write(ctx, "adding vector store file", func(t *tx) error {
		storeID, err := t.vectorStoreID(ctx, projectID, storeUUID, "")
		if err != nil {
			return err
		}
		var documentID int64
		err = t.queryRow(ctx, `SELECT id FROM documents WHERE project_id = ? AND uuid = ?`, projectID, documentUUID).Scan(&documentID)
		if err != nil {
			return notFound(err, "Document", documentUUID)
		}
		now := d.ts(d.now())
		_, err = t.exec(ctx, `INSERT INTO vector_store_files (store_id, document_id, status, error, chunk_count, created_at, updated_at)
			VALUES (?, ?, ?, '', 0, ?, ?) ON CONFLICT (store_id, document_id) DO NOTHING`,
			storeID, documentID, store.FilePending, now, now)
		if d.isForeignKey(err) { // the store was deleted meanwhile
			return rules.NotFound("Vector store", storeUUID)
		}
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
	err := scanVectorStoreFile(d.queryRow(ctx, selectVectorStoreFile+`
		WHERE v.project_id = ? AND v.uuid = ? AND d.uuid = ?`, projectID, storeUUID, documentUUID), f)
	if err != nil {
		return nil, wrap("loading vector store file", notFound(err, "Vector store file", documentUUID))
	}
	return f, nil
}

// VectorStoreFiles lists a store's files, newest first; ENOTFOUND if the
// store is not the project's. The store and its files are read in one
// transaction, one snapshot.
func (d *DB) VectorStoreFiles(ctx context.Context, projectID int64, storeUUID string) ([]store.VectorStoreFile, error) {
	var files []store.VectorStoreFile
	err := d.read(ctx, "listing vector store files", func(t *tx) error {
		var storeID int64
		err := t.queryRow(ctx, `SELECT id FROM vector_stores WHERE project_id = ? AND uuid = ?`, projectID, storeUUID).Scan(&storeID)
		if err != nil {
			return notFound(err, "Vector store", storeUUID)
		}
		rows, err := t.query(ctx, selectVectorStoreFile+` WHERE f.store_id = ? ORDER BY f.created_at DESC, f.document_id DESC`, storeID)
		if err != nil {
			return err
		}
		files, err = collect(rows, scanVectorStoreFile)
		return err
	})
	if err != nil {
		return nil, err
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
			WHERE store_id = ? AND document_id = ?`, status, reason, chunks, d.ts(d.now()), storeID, documentID)
		return changed(res, err, "Vector store file", documentID)
	})
}

// DeleteVectorStoreFile removes a document from a store with its chunks;
// ENOTFOUND if it is not there. Where rows are locked, the file is locked
// first, so chunks being replaced meanwhile are in before they are
// deleted, or find it gone.
func (d *DB) DeleteVectorStoreFile(ctx context.Context, projectID int64, storeUUID, documentUUID string) error {
	return d.write(ctx, "deleting vector store file", func(t *tx) error {
		var storeID, documentID int64
		err := t.queryRow(ctx, `SELECT f.store_id, f.document_id FROM vector_store_files f
			JOIN vector_stores v ON v.id = f.store_id JOIN documents d ON d.id = f.document_id
			WHERE v.project_id = ? AND v.uuid = ? AND d.uuid = ?`+t.lock("FOR UPDATE OF f"),
			projectID, storeUUID, documentUUID).Scan(&storeID, &documentID)
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
