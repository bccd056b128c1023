package sqlite

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

// SaveTurn stores a turn's messages, data and state in one transaction,
// and moves the dialog's watermark; see store.Store.
func (d *DB) SaveTurn(ctx context.Context, t store.Turn) error {
	return d.saveTurn(ctx, "saving turn", t, true)
}

// saveTurn is SaveTurn, AppendMessages, AppendData and SaveDialogState:
// each is a turn with some parts left out; only SaveTurn's marks its turn
// stored in the dialog's watermark (mark). Errors are wrapped with what.
// The turn is prepared before the write lock is taken, and an empty turn
// does not take it.
func (d *DB) saveTurn(ctx context.Context, what string, turn store.Turn, mark bool) error {
	p, err := rules.PrepareTurn(turn, d.now)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if p.Empty() {
		return nil
	}
	return d.write(ctx, what, func(t *tx) error {
		if err := t.appendMessages(ctx, p.Messages, p.Buttons, p.Sources); err != nil {
			return err
		}
		if err := t.appendData(ctx, p.Data); err != nil {
			return err
		}
		if p.State == nil {
			return nil
		}
		return t.saveState(ctx, &p, mark)
	})
}

// tx keeps the turns stored out of order for rules.Watermark.
var _ rules.Remembered = (*tx)(nil)

// Remember records turn seq of the dialog as stored out of order.
func (t *tx) Remember(ctx context.Context, dialogID, seq int64) error {
	_, err := t.exec(ctx, `INSERT INTO dialog_turns (dialog_id, state_seq) VALUES (?, ?)
		ON CONFLICT (dialog_id, state_seq) DO NOTHING`, dialogID, seq)
	return err
}

// Remembered lists the dialog's turns stored out of order, ascending.
func (t *tx) Remembered(ctx context.Context, dialogID int64) ([]int64, error) {
	rows, err := t.QueryContext(ctx, `SELECT state_seq FROM dialog_turns WHERE dialog_id = ? ORDER BY state_seq`, dialogID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var seqs []int64
	for rows.Next() {
		var seq int64
		if err := rows.Scan(&seq); err != nil {
			return nil, err
		}
		seqs = append(seqs, seq)
	}
	return seqs, rows.Err()
}

// Forget drops the dialog's turns stored out of order up to through.
func (t *tx) Forget(ctx context.Context, dialogID, through int64) error {
	_, err := t.exec(ctx, `DELETE FROM dialog_turns WHERE dialog_id = ? AND state_seq <= ?`, dialogID, through)
	return err
}
