package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

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
//
// A turn with messages or data first locks every dialog it writes to, the
// state's too, in id order, so that two turns cannot deadlock and retries
// of one message cannot collide (see lockDialogs). A state alone locks its
// one row in saveState.
func (d *DB) saveTurn(ctx context.Context, what string, turn store.Turn, mark bool) error {
	p, err := rules.PrepareTurn(turn, d.now)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if p.Empty() {
		return nil
	}
	return d.write(ctx, what, func(t *tx) error {
		if len(p.Messages) > 0 || len(p.Data) > 0 {
			if err := t.lockDialogs(ctx, p.DialogIDs()); err != nil {
				return err
			}
		}
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

// tx keeps the turns stored out of order for rules.Watermark, in a
// transaction that has locked the dialog's row.
var _ rules.Remembered = (*tx)(nil)

// Remember records turn seq of the dialog as stored out of order.
func (t *tx) Remember(ctx context.Context, dialogID, seq int64) error {
	_, err := t.exec(ctx, `INSERT INTO dialog_turns (dialog_id, state_seq) VALUES ($1, $2)
		ON CONFLICT (dialog_id, state_seq) DO NOTHING`, dialogID, seq)
	return err
}

// Remembered lists the dialog's turns stored out of order, ascending.
func (t *tx) Remembered(ctx context.Context, dialogID int64) ([]int64, error) {
	rows, err := t.Query(ctx, `SELECT state_seq FROM dialog_turns WHERE dialog_id = $1 ORDER BY state_seq`, dialogID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// Forget drops the dialog's turns stored out of order up to through.
func (t *tx) Forget(ctx context.Context, dialogID, through int64) error {
	_, err := t.exec(ctx, `DELETE FROM dialog_turns WHERE dialog_id = $1 AND state_seq <= $2`, dialogID, through)
	return err
}
