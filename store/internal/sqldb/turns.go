package sqldb

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

// SaveTurn stores a turn's messages, data and state in one transaction,
// and moves the dialog's watermark; see store.Dialogs.
func (d *DB) SaveTurn(ctx context.Context, t store.Turn) error {
	return d.saveTurn(ctx, "saving turn", t, true)
}

// saveTurn is SaveTurn, AppendMessages, AppendData and SaveDialogState:
// each is a turn with some parts left out; only SaveTurn's marks its turn
// stored in the dialog's watermark (mark). Errors are wrapped with what.
// The turn is prepared before the transaction begins (or the writer queue
// is joined), and an empty turn begins none.
//
// Where rows are locked, a turn with messages or data first locks every
// dialog it writes to, the state's too, in id order, so that two turns
// cannot deadlock and retries of one message cannot collide (see
// lockDialogs). A state alone locks its one row in saveState.
// deletedDialogs are those of ids that were deleted (store.Threads'
// DeleteDialog): a write of theirs still on its way is dropped.
func (t *tx) deletedDialogs(ctx context.Context, ids []int64) (map[int64]bool, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := t.query(ctx, `SELECT id FROM dialogs WHERE deleted_at IS NOT NULL AND id IN (`+marks(len(ids))+`)`, args...)
	if err != nil {
		return nil, err
	}
	gone, err := collect(rows, func(r scanner, id *int64) error { return r.Scan(id) })
	if err != nil || len(gone) == 0 {
		return nil, err
	}
	out := make(map[int64]bool, len(gone))
	for _, id := range gone {
		out[id] = true
	}
	return out, nil
}

func (d *DB) saveTurn(ctx context.Context, what string, turn store.Turn, mark bool) error {
	p, err := rules.PrepareTurn(turn, d.now)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if p.Empty() {
		return nil
	}
	return d.write(ctx, what, func(t *tx) error {
		if d.dialect.RowLocks && (len(p.Messages) > 0 || len(p.Data) > 0) {
			if err := t.lockDialogs(ctx, p.DialogIDs()); err != nil {
				return err
			}
		}
		gone, err := t.deletedDialogs(ctx, p.DialogIDs())
		if err != nil {
			return err
		}
		p := p.Without(gone)
		if err := t.appendMessages(ctx, &p); err != nil {
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

// lockDialogs locks the dialogs' rows, ids sorted and without repeats, so
// writes of turns to a dialog take turns; ENOTFOUND if one does not exist.
// Without the lock, two retries of one message racing each other would
// collide on the unique message ID, which ON CONFLICT (dialog_id, seq)
// does not cover, and one would fail. Rows are locked in id order, so two
// batches cannot deadlock.
func (t *tx) lockDialogs(ctx context.Context, ids []int64) error {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := t.query(ctx, `SELECT id FROM dialogs WHERE id IN (`+marks(len(ids))+`) ORDER BY id`+t.lock("FOR NO KEY UPDATE"), args...)
	if err != nil {
		return fmt.Errorf("locking dialogs: %w", err)
	}
	found, err := collect(rows, scanID)
	if err != nil {
		return fmt.Errorf("locking dialogs: %w", err)
	}
	for i, id := range ids {
		if i >= len(found) || found[i] != id {
			return rules.NotFound("Dialog", id)
		}
	}
	return nil
}

// tx keeps the turns stored out of order for rules.Watermark, in a
// transaction that has the dialog's row to itself.
var _ rules.Remembered = (*tx)(nil)

// Remember records turn seq of the dialog as stored out of order.
func (t *tx) Remember(ctx context.Context, dialogID, seq int64) error {
	_, err := t.exec(ctx, `INSERT INTO dialog_turns (dialog_id, state_seq) VALUES (?, ?)
		ON CONFLICT (dialog_id, state_seq) DO NOTHING`, dialogID, seq)
	return err
}

// Remembered lists the dialog's turns stored out of order, ascending.
func (t *tx) Remembered(ctx context.Context, dialogID int64) ([]int64, error) {
	rows, err := t.query(ctx, `SELECT state_seq FROM dialog_turns WHERE dialog_id = ? ORDER BY state_seq`, dialogID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanID)
}

// Forget drops the dialog's turns stored out of order up to through.
func (t *tx) Forget(ctx context.Context, dialogID, through int64) error {
	_, err := t.exec(ctx, `DELETE FROM dialog_turns WHERE dialog_id = ? AND state_seq <= ?`, dialogID, through)
	return err
}
