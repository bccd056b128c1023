package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

const blockTokenColumns = `id, project_id, dialog_id, node, attempt, expires_at, completed_at, created_at`

func scanBlockToken(r scanner, b *store.BlockToken) error {
	return r.Scan(&b.ID, &b.ProjectID, &b.DialogID, &b.Node, &b.Attempt,
		timeScanner{&b.ExpiresAt}, nullTimeScanner{&b.CompletedAt}, timeScanner{&b.CreatedAt})
}

// SaveBlockToken stores a block token's hash and binding unless the hash is
// stored already, then returns the stored record; see store.BlockTokens.
// ON CONFLICT makes concurrent saves of one token wait for each other
// instead of failing.
func (d *DB) SaveBlockToken(ctx context.Context, token string, bt store.BlockToken) (*store.BlockToken, error) {
	c, err := rules.BlockToken(token, bt)
	if err != nil {
		return nil, err
	}
	hash := store.HashSecret(token)
	out := &store.BlockToken{}
	err = d.write(ctx, "saving block token", func(t *tx) error {
		var one int
		err := t.queryRow(ctx, `SELECT 1 FROM dialogs WHERE id = ? AND project_id = ?`, c.DialogID, c.ProjectID).Scan(&one)
		if err != nil {
			return notFound(err, "Dialog", c.DialogID)
		}
		if _, err := t.exec(ctx, `INSERT INTO block_tokens (project_id, dialog_id, node, attempt, token_hash, expires_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (token_hash) DO NOTHING`,
			c.ProjectID, c.DialogID, c.Node, c.Attempt, hash, d.ts(c.ExpiresAt), d.ts(d.now())); err != nil {
			return err
		}
		if err := scanBlockToken(t.queryRow(ctx, `SELECT `+blockTokenColumns+` FROM block_tokens WHERE token_hash = ?`, hash), out); err != nil {
			return err
		}
		return rules.SameBlock(*out, c)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// BlockTokenByToken returns the record of a plain token; EFORBIDDEN if unknown.
func (d *DB) BlockTokenByToken(ctx context.Context, token string) (*store.BlockToken, error) {
	b := &store.BlockToken{}
	err := scanBlockToken(d.queryRow(ctx, `SELECT `+blockTokenColumns+` FROM block_tokens WHERE token_hash = ?`,
		store.HashSecret(token)), b)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, rules.ErrUnknownBlockToken
		}
		return nil, fmt.Errorf("looking up block token: %w", err)
	}
	return b, nil
}

// CompleteBlockToken marks a token completed unless it was before. Of
// concurrent calls, one updates the row: they take turns at the writer
// queue, or wait for the winner's row lock and then find completed_at set.
func (d *DB) CompleteBlockToken(ctx context.Context, id int64) error {
	return d.write(ctx, "completing block token", func(t *tx) error {
		res, err := t.exec(ctx, `UPDATE block_tokens SET completed_at = ? WHERE id = ? AND completed_at IS NULL`, d.ts(d.now()), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		if err := t.mustExist(ctx, "block_tokens", "Block token", id); err != nil {
			return err
		}
		return rules.ErrBlockTokenCompleted
	})
}
