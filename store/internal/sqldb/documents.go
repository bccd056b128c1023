package sqldb

import (
	"context"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

const documentColumns = `id, uuid, project_id, name, mime_type, size, sha256, purpose, created_at`

func scanDocument(r scanner, d *store.Document) error {
	return r.Scan(&d.ID, &d.UUID, &d.ProjectID, &d.Name, &d.MIMEType, &d.Size, &d.SHA256, &d.Purpose,
		timeScanner{&d.CreatedAt})
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
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.UUID, c.ProjectID, c.Name, c.MIMEType, c.Size, c.SHA256, c.Purpose, d.ts(c.CreatedAt)).Scan(&c.ID)
		switch {
		case d.isForeignKey(err):
			return rules.NotFound("Project", c.ProjectID)
		case d.isUnique(err):
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
	err := scanDocument(d.queryRow(ctx, `SELECT `+documentColumns+` FROM documents WHERE project_id = ? AND uuid = ?`,
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
// store.KnowledgeStore. Where rows are locked, the document and then its
// store files are locked first, so chunks being replaced meanwhile are in
// before they are deleted (see DeleteVectorStoreFile).
func (d *DB) DeleteDocument(ctx context.Context, projectID int64, uuid string) error {
	return d.write(ctx, "deleting document", func(t *tx) error {
		var id int64
		err := t.queryRow(ctx, `SELECT id FROM documents WHERE project_id = ? AND uuid = ?`+t.lock("FOR UPDATE"),
			projectID, uuid).Scan(&id)
		if err != nil {
			return notFound(err, "Document", uuid)
		}
		if err := t.lockRows(ctx, `SELECT 1 FROM vector_store_files WHERE document_id = ? FOR UPDATE`, id); err != nil {
			return err
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
