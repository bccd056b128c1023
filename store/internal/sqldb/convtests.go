package sqldb

import (
	"context"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

const testFileColumns = `project_id, slug, source, checksum, author, updated_at`

func scanTestFile(r scanner, f *store.TestFile) error {
	return r.Scan(&f.ProjectID, &f.Slug, &f.Source, &f.Checksum, &f.Author, timeScanner{&f.UpdatedAt})
}

// SaveTestFile stores a bot's test file; see store.TestFiles.
func (d *DB) SaveTestFile(ctx context.Context, f *store.TestFile, ifMatch string) error {
	if err := rules.CheckTestFile(*f); err != nil {
		return err
	}
	c := *f
	c.Source, c.Author = rules.Clean(c.Source), rules.Clean(c.Author)
	c.Checksum, c.UpdatedAt = rules.Checksum(c.Source), d.now()
	err := d.write(ctx, "saving a test file", func(t *tx) error {
		if ifMatch != "" {
			if err := t.testFileIs(ctx, c.ProjectID, c.Slug, ifMatch); err != nil {
				return err
			}
		}
		_, err := t.exec(ctx, `INSERT INTO conversation_tests (`+testFileColumns+`) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (project_id, slug) DO UPDATE SET source = excluded.source, checksum = excluded.checksum,
				author = excluded.author, updated_at = excluded.updated_at`,
			c.ProjectID, c.Slug, c.Source, c.Checksum, c.Author, d.ts(c.UpdatedAt))
		if d.isForeignKey(err) {
			return rules.NotFound("Project", c.ProjectID)
		}
		return err
	})
	if err != nil {
		return err
	}
	*f = c
	return nil
}

// testFileIs returns ECONFLICT unless the project's test file of slug has
// the checksum sum.
func (t *tx) testFileIs(ctx context.Context, projectID int64, slug, sum string) error {
	return t.checksumIs(ctx, "conversation_tests", projectID, slug, sum, rules.TestFileChanged(slug))
}

// TestFile returns a bot's test file; see store.TestFiles.
func (d *DB) TestFile(ctx context.Context, projectID int64, slug string) (*store.TestFile, error) {
	f := &store.TestFile{}
	err := scanTestFile(d.queryRow(ctx, `SELECT `+testFileColumns+` FROM conversation_tests WHERE project_id = ? AND slug = ?`, projectID, slug), f)
	if err != nil {
		return nil, wrap("reading a test file", notFound(err, "Tests of bot", slug))
	}
	return f, nil
}

// DeleteTestFile removes a bot's test file; see store.TestFiles.
func (d *DB) DeleteTestFile(ctx context.Context, projectID int64, slug string) error {
	return d.write(ctx, "deleting a test file", func(t *tx) error {
		res, err := t.exec(ctx, `DELETE FROM conversation_tests WHERE project_id = ? AND slug = ?`, projectID, slug)
		return changed(res, err, "Tests of bot", slug)
	})
}
