package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

const (
	// selectVectorStore reads vector stores with the counts their status
	// and file count come from; a query adds WHERE and GROUP BY v.id.
	selectVectorStore = `SELECT v.id, v.uuid, v.project_id, v.name, v.chunk_size, v.chunk_overlap, v.embedder,
		v.dimensions, v.created_at, v.updated_at, count(f.document_id),
		count(*) FILTER (WHERE f.status = 'pending'), count(*) FILTER (WHERE f.status = 'error')
		FROM vector_stores v LEFT JOIN vector_store_files f ON f.store_id = v.id`

	// vectorStoreNameIndex is the index that keeps names unique in a project.
	vectorStoreNameIndex = "vector_stores_project_name"
)

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

// CreateVectorStore creates a vector store; see store.KnowledgeStore.
func (d *DB) CreateVectorStore(ctx context.Context, v *store.VectorStore) error {
	c, err := rules.VectorStore(*v)
	if err != nil {
		return err
	}
	c.CreatedAt = d.now()
	c.UpdatedAt = c.CreatedAt
	err = d.write(ctx, "creating vector store", func(t *tx) error {
		if err := t.checkVectorStoreName(ctx, c.ProjectID, 0, c.Name); err != nil {
			return err
		}
		err := t.queryRow(ctx, `INSERT INTO vector_stores (uuid, project_id, name, chunk_size, chunk_overlap, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.UUID, c.ProjectID, c.Name, c.ChunkSize, c.ChunkOverlap, d.ts(c.CreatedAt), d.ts(c.UpdatedAt)).Scan(&c.ID)
		switch {
		case d.isForeignKey(err):
			return rules.NotFound("Project", c.ProjectID)
		case d.violates(err, vectorStoreNameIndex): // created meanwhile
			return rules.ErrVectorStoreNameUsed
		case d.isUnique(err):
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
// than id has the non-empty name. The unique index refuses it too, but not
// every database's error says which index, and the UUID's is another.
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
	err := scanVectorStore(d.queryRow(ctx, selectVectorStore+`
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
// store.KnowledgeStore. The name is the only unique value that changes, so
// a unique violation (a name taken meanwhile) is the name's.
func (d *DB) RenameVectorStore(ctx context.Context, projectID int64, uuid, name string) (*store.VectorStore, error) {
	name = rules.Clean(name)
	v := &store.VectorStore{}
	err := d.write(ctx, "renaming vector store", func(t *tx) error {
		id, err := t.vectorStoreID(ctx, projectID, uuid, "FOR NO KEY UPDATE")
		if err != nil {
			return err
		}
		if err := t.checkVectorStoreName(ctx, projectID, id, name); err != nil {
			return err
		}
		_, err = t.exec(ctx, `UPDATE vector_stores SET name = ?, updated_at = ? WHERE id = ?`, name, d.ts(d.now()), id)
		if d.isUnique(err) {
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

// vectorStoreID returns the id of a project's vector store by UUID, its
// row locked with lock (a FOR clause, or "" for none) where rows are
// locked; ENOTFOUND if none.
func (t *tx) vectorStoreID(ctx context.Context, projectID int64, uuid, lock string) (int64, error) {
	var id int64
	err := t.queryRow(ctx, `SELECT id FROM vector_stores WHERE project_id = ? AND uuid = ?`+t.lock(lock), projectID, uuid).Scan(&id)
	return id, notFound(err, "Vector store", uuid)
}

// ClaimEmbedder records which embedder indexes a store; see
// store.KnowledgeStore. EINVALID for an empty name or non-positive
// dimensions; ENOTFOUND for an unknown store. Where rows are locked, the
// store's is locked first, so of two concurrent first claims one wins and
// the other conflicts or agrees.
func (d *DB) ClaimEmbedder(ctx context.Context, storeID int64, embedder string, dims int) error {
	if err := rules.CheckEmbedder(embedder, dims); err != nil {
		return err
	}
	embedder = rules.Clean(embedder)
	return d.write(ctx, "claiming embedder", func(t *tx) error {
		var have string
		var haveDims int
		err := t.queryRow(ctx, `SELECT embedder, dimensions FROM vector_stores WHERE id = ?`+t.lock("FOR NO KEY UPDATE"),
			storeID).Scan(&have, &haveDims)
		switch {
		case err != nil:
			return notFound(err, "Vector store", storeID)
		case have == embedder && haveDims == dims:
			return nil
		case have != "":
			return rules.ErrEmbedderClaimed(have, haveDims)
		}
		_, err = t.exec(ctx, `UPDATE vector_stores SET embedder = ?, dimensions = ?, updated_at = ? WHERE id = ?`,
			embedder, dims, d.ts(d.now()), storeID)
		return err
	})
}

// DeleteVectorStore deletes a store with its files and chunks; see
// store.KnowledgeStore. Where rows are locked, the store and its files are
// locked first, so that files being added or chunks being replaced
// meanwhile wait, and then find them gone.
func (d *DB) DeleteVectorStore(ctx context.Context, projectID int64, uuid string) error {
	return d.write(ctx, "deleting vector store", func(t *tx) error {
		id, err := t.vectorStoreID(ctx, projectID, uuid, "FOR UPDATE")
		if err != nil {
			return err
		}
		if err := t.lockRows(ctx, `SELECT 1 FROM vector_store_files WHERE store_id = ? FOR UPDATE`, id); err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM chunks WHERE store_id = ?`,
			`DELETE FROM qa_entries WHERE store_id = ?`,
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
