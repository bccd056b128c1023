package postgres

import (
	"context"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

const fileColumns = `id, project_id, dialog_id, name, mime_type, size, sha256, created_at`

func scanFile(r scanner, f *store.File) error {
	return r.Scan(&f.ID, &f.ProjectID, &f.DialogID, &f.Name, &f.MIMEType, &f.Size, &f.SHA256, &f.CreatedAt)
}

// CreateFile records an uploaded file; see store.Store.
func (d *DB) CreateFile(ctx context.Context, f *store.File) error {
	c, err := rules.File(*f)
	if err != nil {
		return err
	}
	c.CreatedAt = d.now()
	err = d.write(ctx, "creating file", func(t *tx) error {
		var one int
		err := t.queryRow(ctx, `SELECT 1 FROM dialogs WHERE id = $1 AND project_id = $2`, c.DialogID, c.ProjectID).Scan(&one)
		if err != nil {
			return notFound(err, "Dialog", c.DialogID)
		}
		return t.queryRow(ctx, `INSERT INTO files (project_id, dialog_id, name, mime_type, size, sha256, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			c.ProjectID, c.DialogID, c.Name, c.MIMEType, c.Size, c.SHA256, c.CreatedAt).Scan(&c.ID)
	})
	if err != nil {
		return err
	}
	*f = c
	return nil
}

// File returns a project's file; ENOTFOUND if there is none.
func (d *DB) File(ctx context.Context, projectID, id int64) (*store.File, error) {
	f := &store.File{}
	err := scanFile(d.pool.QueryRow(ctx, `SELECT `+fileColumns+` FROM files WHERE project_id = $1 AND id = $2`, projectID, id), f)
	if err != nil {
		return nil, wrap("loading file", notFound(err, "File", id))
	}
	return f, nil
}
