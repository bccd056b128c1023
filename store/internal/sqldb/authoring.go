package sqldb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

const (
	draftColumns  = `project_id, slug, source, checksum, base_version, author, updated_at`
	cannedColumns = `id, project_id, shortcut, text, author, created_at, updated_at`
)

func scanDraft(r scanner, d *store.Draft) error {
	return r.Scan(&d.ProjectID, &d.Slug, &d.Source, &d.Checksum, &d.BaseVersion, &d.Author, timeScanner{&d.UpdatedAt})
}

func scanCanned(r scanner, c *store.CannedReply) error {
	return r.Scan(&c.ID, &c.ProjectID, &c.Shortcut, &c.Text, &c.Author, timeScanner{&c.CreatedAt}, timeScanner{&c.UpdatedAt})
}

// SaveDraft stores a bot's draft; see store.Drafts. The draft it replaces
// keeps its BaseVersion.
func (d *DB) SaveDraft(ctx context.Context, dr *store.Draft, ifMatch string) error {
	if err := rules.CheckDraft(*dr); err != nil {
		return err
	}
	c := *dr
	c.Source, c.Author = rules.Clean(c.Source), rules.Clean(c.Author)
	c.Checksum, c.UpdatedAt = rules.Checksum(c.Source), d.now()
	err := d.write(ctx, "saving a draft", func(t *tx) error {
		if ifMatch != "" {
			if err := t.draftIs(ctx, c.ProjectID, c.Slug, ifMatch); err != nil {
				return err
			}
		}
		err := t.queryRow(ctx, `INSERT INTO drafts (`+draftColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (project_id, slug) DO UPDATE SET source = excluded.source, checksum = excluded.checksum,
				author = excluded.author, updated_at = excluded.updated_at
			RETURNING base_version`,
			c.ProjectID, c.Slug, c.Source, c.Checksum, c.BaseVersion, c.Author, d.ts(c.UpdatedAt)).Scan(&c.BaseVersion)
		if d.isForeignKey(err) {
			return rules.NotFound("Project", c.ProjectID)
		}
		return err
	})
	if err != nil {
		return err
	}
	*dr = c
	return nil
}

// draftIs returns ECONFLICT unless the project's draft of slug has the
// checksum sum.
func (t *tx) draftIs(ctx context.Context, projectID int64, slug, sum string) error {
	return t.checksumIs(ctx, "drafts", projectID, slug, sum, rules.DraftChanged(slug))
}

// checksumIs returns changed unless the row of table (a bot's file kept
// by slug: drafts, conversation_tests) has the checksum sum, locking the
// row until the transaction ends where the database can.
func (t *tx) checksumIs(ctx context.Context, table string, projectID int64, slug, sum string, changed error) error {
	var stored string
	err := t.queryRow(ctx, `SELECT checksum FROM `+table+` WHERE project_id = ? AND slug = ?`+t.lock("FOR UPDATE"),
		projectID, slug).Scan(&stored)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && stored != sum) {
		return changed
	}
	return err
}

// Draft returns a bot's draft; see store.Drafts.
func (d *DB) Draft(ctx context.Context, projectID int64, slug string) (*store.Draft, error) {
	dr := &store.Draft{}
	err := scanDraft(d.queryRow(ctx, `SELECT `+draftColumns+` FROM drafts WHERE project_id = ? AND slug = ?`, projectID, slug), dr)
	if err != nil {
		return nil, wrap("reading a draft", notFound(err, "Draft of bot", slug))
	}
	return dr, nil
}

// ListDrafts lists a project's drafts without their source; see store.Drafts.
func (d *DB) ListDrafts(ctx context.Context, projectID int64) ([]store.Draft, error) {
	return list(ctx, d, "listing drafts", scanDraft, `SELECT project_id, slug, '', checksum, base_version, author, updated_at
		FROM drafts WHERE project_id = ? ORDER BY slug COLLATE `+d.dialect.Bytewise, projectID)
}

// DeleteDraft removes a bot's draft; see store.Drafts.
func (d *DB) DeleteDraft(ctx context.Context, projectID int64, slug, ifMatch string) error {
	return d.write(ctx, "deleting a draft", func(t *tx) error {
		if ifMatch != "" {
			if err := t.draftIs(ctx, projectID, slug, ifMatch); err != nil {
				return err
			}
		}
		res, err := t.exec(ctx, `DELETE FROM drafts WHERE project_id = ? AND slug = ?`, projectID, slug)
		return changed(res, err, "Draft of bot", slug)
	})
}

// SaveCannedReply stores a canned reply under its shortcut; see
// store.CannedReplies.
func (d *DB) SaveCannedReply(ctx context.Context, r *store.CannedReply) (bool, error) {
	c, err := rules.CannedReply(*r)
	if err != nil {
		return false, err
	}
	now := d.now()
	err = d.write(ctx, "saving a canned reply", func(t *tx) error {
		err := scanCanned(t.queryRow(ctx, `INSERT INTO canned_replies (project_id, shortcut, text, author, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (project_id, shortcut) DO UPDATE SET text = excluded.text, author = excluded.author,
				updated_at = excluded.updated_at
			RETURNING `+cannedColumns, c.ProjectID, c.Shortcut, c.Text, c.Author, d.ts(now), d.ts(now)), &c)
		if d.isForeignKey(err) {
			return rules.NotFound("Project", c.ProjectID)
		}
		return err
	})
	if err != nil {
		return false, err
	}
	*r = c
	return c.CreatedAt.Equal(now), nil
}

// CannedReplies lists a project's canned replies; see store.CannedReplies.
func (d *DB) CannedReplies(ctx context.Context, projectID int64, prefix string) ([]store.CannedReply, error) {
	prefix = rules.CannedPrefix(prefix)
	return list(ctx, d, "listing canned replies", scanCanned, `SELECT `+cannedColumns+` FROM canned_replies
		WHERE project_id = ? AND substr(shortcut, 1, ?) = ? ORDER BY shortcut`, projectID, len(prefix), prefix)
}

// DeleteCannedReply removes a canned reply; see store.CannedReplies.
func (d *DB) DeleteCannedReply(ctx context.Context, projectID, id int64) error {
	return d.write(ctx, "deleting a canned reply", func(t *tx) error {
		res, err := t.exec(ctx, `DELETE FROM canned_replies WHERE project_id = ? AND id = ?`, projectID, id)
		return changed(res, err, "Canned reply", id)
	})
}
