package sqlite

import (
	"context"
	"fmt"

	"parley/store"
	"parley/store/internal/rules"
)

// SaveTurn stores a turn's messages, data and state in one transaction;
// see store.Store.
func (d *DB) SaveTurn(ctx context.Context, t store.Turn) error {
	return d.saveTurn(ctx, "saving turn", t)
}

// saveTurn is SaveTurn, AppendMessages, AppendData and SaveDialogState:
// each is a turn with some parts left out. Errors are wrapped with what.
// The turn is prepared before the write lock is taken, and an empty turn
// does not take it.
func (d *DB) saveTurn(ctx context.Context, what string, turn store.Turn) error {
	p, err := rules.PrepareTurn(turn, d.now)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if p.Empty() {
		return nil
	}
	return d.write(ctx, what, func(t *tx) error {
		if err := t.appendMessages(ctx, p.Messages, p.Buttons); err != nil {
			return err
		}
		if err := t.appendData(ctx, p.Data); err != nil {
			return err
		}
		if p.State == nil {
			return nil
		}
		return t.saveState(ctx, p.State, p.Variables)
	})
}
