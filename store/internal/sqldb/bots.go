package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

const (
	botColumns     = `id, uuid, project_id, slug, name, current_version, status, created_at, updated_at`
	versionColumns = `bot_id, version, source, checksum, author, note, created_at`
)

func scanBot(r scanner, b *store.Bot) error {
	return r.Scan(&b.ID, &b.UUID, &b.ProjectID, &b.Slug, &b.Name, &b.CurrentVersion, &b.Status,
		timeScanner{&b.CreatedAt}, timeScanner{&b.UpdatedAt})
}

func scanVersion(r scanner, v *store.FlowVersion) error {
	return r.Scan(&v.BotID, &v.Version, &v.Source, &v.Checksum, &v.Author, &v.Note, timeScanner{&v.CreatedAt})
}

// PublishFlow stores a new version of a bot's flow, creating the bot on its
// first version; the same source as the current version stores nothing but
// the name. An empty Name keeps the bot's name (the slug for a new bot).
func (d *DB) PublishFlow(ctx context.Context, p store.Publish) (*store.Published, error) {
	if err := rules.CheckPublish(p); err != nil {
		return nil, err
	}
	p = rules.CleanPublish(p)
	now := d.now()
	out := &store.Published{Bot: &store.Bot{}, Version: &store.FlowVersion{}}
	err := d.write(ctx, "publishing flow", func(t *tx) error {
		b, err := t.botForPublish(ctx, p, now)
		if err != nil {
			return err
		}
		out.Bot = b
		sum := rules.Checksum(p.Source)
		if b.CurrentVersion > 0 {
			err := scanVersion(t.queryRow(ctx, `SELECT `+versionColumns+` FROM flow_versions WHERE bot_id = ? AND version = ?`,
				b.ID, b.CurrentVersion), out.Version)
			if err != nil {
				return fmt.Errorf("loading current version: %w", err)
			}
			if out.Version.Checksum == sum {
				return t.renameBot(ctx, b, p.Name, now)
			}
		}
		out.Created = true
		*out.Version = store.FlowVersion{BotID: b.ID, Version: b.CurrentVersion + 1, Source: p.Source,
			Checksum: sum, Author: p.Author, Note: p.Note, CreatedAt: now}
		return t.addVersion(ctx, b, out.Version, p.Name)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// botForPublish returns the project's bot with p's slug, locked so that
// publishes of one bot take turns, creating it (without versions) if there
// is none. Concurrent first publishes of a slug meet at the unique
// (project_id, slug): the loser's insert waits, does nothing, and then finds
// and locks the winner's bot. NO KEY UPDATE, unlike UPDATE, lets dialogs
// referring to the bot be created meanwhile.
func (t *tx) botForPublish(ctx context.Context, p store.Publish, now time.Time) (*store.Bot, error) {
	lock := `SELECT ` + botColumns + ` FROM bots WHERE project_id = ? AND slug = ?` + t.lock("FOR NO KEY UPDATE")
	b := &store.Bot{}
	err := scanBot(t.queryRow(ctx, lock, p.ProjectID, p.Slug), b)
	if !errors.Is(err, sql.ErrNoRows) {
		return b, err
	}
	if err := t.mustExist(ctx, "projects", "Project", p.ProjectID); err != nil {
		return nil, err
	}
	id, err := t.nextID(ctx)
	if err != nil {
		return nil, err
	}
	res, err := t.exec(ctx, `INSERT INTO bots (`+botColumns+`) VALUES (?, ?, ?, ?, ?, 0, 'active', ?, ?)
		ON CONFLICT (project_id, slug) DO NOTHING`,
		id, uuid.NewString(), p.ProjectID, p.Slug, p.Slug, t.db.ts(now), t.db.ts(now))
	if err != nil {
		return nil, fmt.Errorf("creating bot: %w", err)
	}
	if err := scanBot(t.queryRow(ctx, lock, p.ProjectID, p.Slug), b); err != nil {
		return nil, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return b, err // another publish made the bot, and its channel
	}
	return b, t.addAPIChannel(ctx, b)
}

// renameBot gives b the name, unless it is empty or b's already.
func (t *tx) renameBot(ctx context.Context, b *store.Bot, name string, now time.Time) error {
	if name == "" || name == b.Name {
		return nil
	}
	b.Name, b.UpdatedAt = name, now
	_, err := t.exec(ctx, `UPDATE bots SET name = ?, updated_at = ? WHERE id = ?`, b.Name, t.db.ts(b.UpdatedAt), b.ID)
	return err
}

// addVersion stores v and makes it b's current version.
func (t *tx) addVersion(ctx context.Context, b *store.Bot, v *store.FlowVersion, name string) error {
	if _, err := t.exec(ctx, `INSERT INTO flow_versions (`+versionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		v.BotID, v.Version, v.Source, v.Checksum, v.Author, v.Note, t.db.ts(v.CreatedAt)); err != nil {
		return fmt.Errorf("storing version: %w", err)
	}
	if name != "" {
		b.Name = name
	}
	b.CurrentVersion, b.UpdatedAt = v.Version, v.CreatedAt
	_, err := t.exec(ctx, `UPDATE bots SET name = ?, current_version = ?, updated_at = ? WHERE id = ?`,
		b.Name, b.CurrentVersion, t.db.ts(b.UpdatedAt), b.ID)
	return err
}

// nextID draws the next id of the sequence bots and dialogs share.
func (t *tx) nextID(ctx context.Context) (int64, error) {
	var id int64
	err := t.queryRow(ctx, t.db.dialect.NextID).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("drawing id: %w", err)
	}
	return id, nil
}

// Bot returns a project's bot by slug; ENOTFOUND if there is none.
func (d *DB) Bot(ctx context.Context, projectID int64, slug string) (*store.Bot, error) {
	b := &store.Bot{}
	err := scanBot(d.queryRow(ctx, `SELECT `+botColumns+` FROM bots WHERE project_id = ? AND slug = ? AND deleted_at IS NULL`, projectID, rules.Clean(slug)), b)
	if err != nil {
		return nil, wrap("loading bot", notFound(err, "Bot", slug))
	}
	return b, nil
}

// BotByID returns a project's bot by id; ENOTFOUND if there is none.
func (d *DB) BotByID(ctx context.Context, projectID, id int64) (*store.Bot, error) {
	b := &store.Bot{}
	err := scanBot(d.queryRow(ctx, `SELECT `+botColumns+` FROM bots WHERE project_id = ? AND id = ?`, projectID, id), b)
	if err != nil {
		return nil, wrap("loading bot", notFound(err, "Bot", id))
	}
	return b, nil
}

// BotByUUID returns a project's bot by UUID; ENOTFOUND if there is none,
// it is deleted or id is not a UUID (PostgreSQL would refuse to compare).
func (d *DB) BotByUUID(ctx context.Context, projectID int64, id string) (*store.Bot, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return nil, rules.NotFound("Bot", fmt.Sprintf("%q", id))
	}
	b := &store.Bot{}
	err = scanBot(d.queryRow(ctx, `SELECT `+botColumns+` FROM bots WHERE project_id = ? AND uuid = ? AND deleted_at IS NULL`, projectID, u.String()), b)
	if err != nil {
		return nil, wrap("loading bot", notFound(err, "Bot", fmt.Sprintf("%q", id)))
	}
	return b, nil
}

// SetBotStatus sets a bot's status; EINVALID for an unknown status.
func (d *DB) SetBotStatus(ctx context.Context, projectID, id int64, status string) (*store.Bot, error) {
	switch status {
	case store.BotActive, store.BotDisabled, store.BotError:
	default:
		return nil, &store.Error{Code: store.EINVALID, Field: "status",
			Message: fmt.Sprintf("Unknown bot status %q; use active, disabled or error.", status)}
	}
	b := &store.Bot{}
	err := d.write(ctx, "setting bot status", func(t *tx) error {
		res, err := t.exec(ctx, `UPDATE bots SET status = ?, updated_at = ? WHERE project_id = ? AND id = ? AND deleted_at IS NULL`,
			status, t.db.ts(d.now()), projectID, id)
		if err := changed(res, err, "Bot", id); err != nil {
			return err
		}
		return scanBot(t.queryRow(ctx, `SELECT `+botColumns+` FROM bots WHERE id = ?`, id), b)
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// DeleteBot marks a bot deleted and renames its slug, which no published
// slug can take, so that the slug is free for a new bot.
func (d *DB) DeleteBot(ctx context.Context, projectID, id int64) error {
	return d.write(ctx, "deleting bot", func(t *tx) error {
		now := t.db.ts(d.now())
		res, err := t.exec(ctx, `UPDATE bots SET deleted_at = ?, updated_at = ?, slug = slug || '~deleted~' || CAST(id AS TEXT)
			WHERE project_id = ? AND id = ? AND deleted_at IS NULL`, now, now, projectID, id)
		return changed(res, err, "Bot", id)
	})
}

// Bots lists a project's bots by slug, in byte order whatever the
// database's collation.
func (d *DB) Bots(ctx context.Context, projectID int64) ([]store.Bot, error) {
	return list(ctx, d, "listing bots", scanBot,
		`SELECT `+botColumns+` FROM bots WHERE project_id = ? AND deleted_at IS NULL ORDER BY slug COLLATE `+d.dialect.Bytewise, projectID)
}

// FlowVersion returns one version of a bot's flow; ENOTFOUND if there is none.
func (d *DB) FlowVersion(ctx context.Context, botID int64, version int) (*store.FlowVersion, error) {
	v := &store.FlowVersion{}
	err := scanVersion(d.queryRow(ctx, `SELECT `+versionColumns+` FROM flow_versions WHERE bot_id = ? AND version = ?`, botID, version), v)
	if err != nil {
		return nil, wrap("loading flow version", notFound(err, "Flow version", fmt.Sprintf("%d of bot %d", version, botID)))
	}
	return v, nil
}

// FlowVersions lists a bot's versions, newest first.
func (d *DB) FlowVersions(ctx context.Context, botID int64) ([]store.FlowVersion, error) {
	return list(ctx, d, "listing flow versions", scanVersion,
		`SELECT `+versionColumns+` FROM flow_versions WHERE bot_id = ? ORDER BY version DESC`, botID)
}
