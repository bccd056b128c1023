package sqldb

import (
	"context"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

const fileColumns = `id, project_id, dialog_id, name, mime_type, size, sha256, created_at`

func scanFile(r scanner, f *store.File) error {
	return r.Scan(&f.ID, &f.ProjectID, &f.DialogID, &f.Name, &f.MIMEType, &f.Size, &f.SHA256, timeScanner{&f.CreatedAt})
}

// CreateFile records an uploaded file; see store.Files.
func (d *DB) CreateFile(ctx context.Context, f *store.File) error {
	c, err := rules.File(*f)
	if err != nil {
		return err
	}
	c.CreatedAt = d.now()
	err = d.write(ctx, "creating file", func(t *tx) error {
		var one int
		err := t.queryRow(ctx, `SELECT 1 FROM dialogs WHERE id = ? AND project_id = ?`, c.DialogID, c.ProjectID).Scan(&one)
		if err != nil {
			return notFound(err, "Dialog", c.DialogID)
		}
		return t.queryRow(ctx, `INSERT INTO files (project_id, dialog_id, name, mime_type, size, sha256, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.ProjectID, c.DialogID, c.Name, c.MIMEType, c.Size, c.SHA256, d.ts(c.CreatedAt)).Scan(&c.ID)
	})
	if err != nil {
		return err
	}
	*f = c
	return nil
}

// DeleteFile removes a project's file record; ENOTFOUND if there is none.
func (d *DB) DeleteFile(ctx context.Context, projectID, id int64) error {
	return d.write(ctx, "deleting file", func(t *tx) error {
		res, err := t.exec(ctx, `DELETE FROM files WHERE project_id = ? AND id = ?`, projectID, id)
		return changed(res, err, "File", id)
	})
}

// File returns a project's file; ENOTFOUND if there is none.
func (d *DB) File(ctx context.Context, projectID, id int64) (*store.File, error) {
	f := &store.File{}
	err := scanFile(d.queryRow(ctx, `SELECT `+fileColumns+` FROM files WHERE project_id = ? AND id = ?`, projectID, id), f)
	if err != nil {
		return nil, wrap("loading file", notFound(err, "File", id))
	}
	return f, nil
}
