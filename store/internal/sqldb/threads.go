package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/parleyhq/parley/store"
)

// DialogByExternalID returns the newest dialog with an external id; see
// store.Threads.
func (d *DB) DialogByExternalID(ctx context.Context, projectID, channelID int64, externalID string) (*store.Dialog, error) {
	q := `SELECT ` + dialogColumns + ` FROM dialogs WHERE project_id = ? AND external_id = ? AND deleted_at IS NULL`
	args := []any{projectID, externalID}
	if channelID != 0 {
		q += ` AND channel_id = ?`
		args = append(args, channelID)
	}
	dlg := &store.Dialog{}
	if err := scanDialog(d.queryRow(ctx, q+` ORDER BY id DESC LIMIT 1`, args...), dlg); err != nil {
		return nil, wrap("reading a dialog", notFound(err, "Dialog", externalID))
	}
	return dlg, nil
}

// DeleteDialog deletes a dialog's messages, data and notes and marks it
// deleted; see store.Threads. Its row stays, as its events and files name
// it.
func (d *DB) DeleteDialog(ctx context.Context, projectID, id int64) error {
	return d.write(ctx, "deleting a dialog", func(t *tx) error {
		res, err := t.exec(ctx, `UPDATE dialogs SET deleted_at = ?, pending_count = 0, handoff_status = 'none', handoff_queue = ''
			WHERE project_id = ? AND id = ? AND deleted_at IS NULL`, t.db.ts(t.db.now()), projectID, id)
		if err := changed(res, err, "Dialog", id); err != nil {
			return err
		}
		if f := t.db.dialect.TextForget; f != "" {
			if _, err := t.exec(ctx, f, id); err != nil {
				return err
			}
		}
		for _, table := range []string{"messages", "data_items", "notes", "feedback"} {
			if _, err := t.exec(ctx, `DELETE FROM `+table+` WHERE dialog_id = ?`, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// MessageStats counts dialogs' messages by role; see store.Threads.
func (d *DB) MessageStats(ctx context.Context, dialogIDs []int64) (map[int64]store.MessageStats, error) {
	if len(dialogIDs) == 0 {
		return map[int64]store.MessageStats{}, nil
	}
	args := make([]any, len(dialogIDs))
	for i, id := range dialogIDs {
		args[i] = id
	}
	type count struct {
		dialogID int64
		role     string
		n        int
		last     time.Time
	}
	counts, err := list(ctx, d, "counting messages", func(r scanner, c *count) error {
		return r.Scan(&c.dialogID, &c.role, &c.n, timeScanner{&c.last})
	}, `SELECT dialog_id, role, count(*), max(created_at) FROM messages WHERE dialog_id IN (`+marks(len(args))+`)
		GROUP BY dialog_id, role`, args...)
	if err != nil {
		return nil, err
	}
	type last struct {
		dialogID int64
		text     string
	}
	lasts, err := list(ctx, d, "reading last messages", func(r scanner, l *last) error {
		return r.Scan(&l.dialogID, &l.text)
	}, `SELECT m.dialog_id, m.text FROM messages m WHERE m.dialog_id IN (`+marks(len(args))+`)
		AND m.seq = (SELECT max(l.seq) FROM messages l WHERE l.dialog_id = m.dialog_id AND l.role IN ('user', 'assistant', 'operator'))`, args...)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]store.MessageStats, len(dialogIDs))
	for _, l := range lasts {
		out[l.dialogID] = store.MessageStats{LastText: l.text}
	}
	for _, c := range counts {
		s := out[c.dialogID]
		if s.ByRole == nil {
			s.ByRole = map[string]int{}
		}
		s.ByRole[c.role] += c.n
		s.Total += c.n
		if c.last.After(s.LastAt) {
			s.LastAt = c.last
		}
		out[c.dialogID] = s
	}
	return out, nil
}

// dialogChannel is the channel a new dialog of a bot comes through: the
// given one, which must be the project's, or else the bot's API channel
// (0 for a dialog of no bot).
func (t *tx) dialogChannel(ctx context.Context, projectID, botID, channelID int64) (int64, error) {
	if channelID != 0 {
		var one int
		err := t.queryRow(ctx, `SELECT 1 FROM channels WHERE id = ? AND project_id = ?`, channelID, projectID).Scan(&one)
		return channelID, notFound(err, "Channel", channelID)
	}
	if botID == 0 {
		return 0, nil
	}
	err := t.queryRow(ctx, `SELECT id FROM channels WHERE bot_id = ? AND kind = 'api'`, botID).Scan(&channelID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return channelID, err
}
