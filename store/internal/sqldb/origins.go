package sqldb

import (
	"context"
	"slices"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

// maxProjectOrigins bounds a project's list: each is checked on every
// cross-origin request, and no real API has hundreds of front ends.
const maxProjectOrigins = 100

// ProjectOrigins lists a project's allowed origins; see store.Origins.
func (d *DB) ProjectOrigins(ctx context.Context, projectID int64) ([]string, error) {
	var out []string
	err := d.read(ctx, "listing a project's origins", func(t *tx) error {
		if err := t.mustExist(ctx, "projects", "Project", projectID); err != nil {
			return err
		}
		var err error
		out, err = t.origins(ctx, projectID)
		return err
	})
	return out, err
}

// SetProjectOrigins replaces a project's allowed origins; see
// store.Origins.
func (d *DB) SetProjectOrigins(ctx context.Context, projectID int64, origins []string) ([]string, error) {
	norm, err := normalOrigins(origins)
	if err != nil {
		return nil, err
	}
	err = d.write(ctx, "setting a project's origins", func(t *tx) error {
		if err := t.mustExist(ctx, "projects", "Project", projectID); err != nil {
			return err
		}
		if _, err := t.exec(ctx, `DELETE FROM project_origins WHERE project_id = ?`, projectID); err != nil {
			return err
		}
		for _, o := range norm {
			if _, err := t.exec(ctx, `INSERT INTO project_origins (project_id, origin) VALUES (?, ?)`, projectID, o); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return norm, nil
}

// OriginListed reports whether any project lists origin; see
// store.Origins.
func (d *DB) OriginListed(ctx context.Context, origin string) (bool, error) {
	var listed bool
	err := d.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM project_origins WHERE origin = ?)`, origin).Scan(&listed)
	return listed, wrap("looking up an origin", err)
}

func (t *tx) origins(ctx context.Context, projectID int64) ([]string, error) {
	rows, err := t.query(ctx, `SELECT origin FROM project_origins WHERE project_id = ? ORDER BY origin`, projectID)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(r scanner, o *string) error { return r.Scan(o) })
}

// normalOrigins is origins as stored: each as rules.Origin writes it,
// sorted, without repeats; never nil.
func normalOrigins(origins []string) ([]string, error) {
	if len(origins) > maxProjectOrigins {
		return nil, store.FieldErrorf(store.EINVALID, "allowed_origins", "A project lists at most %d origins; got %d.", maxProjectOrigins, len(origins))
	}
	out := []string{}
	for _, o := range origins {
		norm, err := rules.Origin(o)
		if err != nil {
			return nil, err
		}
		out = append(out, norm)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
