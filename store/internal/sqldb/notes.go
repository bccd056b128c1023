package sqldb

import (
	"context"
	"strings"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

const noteColumns = `id, dialog_id, operator_id, operator_name, text, created_at`

// AddNote stores an operator's note and logs it; see store.Dialogs.
func (d *DB) AddNote(ctx context.Context, n *store.Note) error {
	c := *n
	c.Text, c.OperatorID, c.OperatorName = rules.Clean(c.Text), rules.Clean(c.OperatorID), rules.Clean(c.OperatorName)
	if strings.TrimSpace(c.Text) == "" {
		return store.FieldErrorf(store.EINVALID, "text", "The note is empty; write something.")
	}
	c.CreatedAt = d.now()
	err := d.write(ctx, "adding a note", func(t *tx) error {
		err := t.queryRow(ctx, `INSERT INTO notes (dialog_id, operator_id, operator_name, text, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, c.DialogID, c.OperatorID, c.OperatorName, c.Text, t.db.ts(c.CreatedAt)).Scan(&c.ID)
		if t.db.isForeignKey(err) {
			return rules.NotFound("Dialog", c.DialogID)
		}
		if err != nil {
			return err
		}
		logged := c
		t.log(store.Event{Type: store.EventNoteCreated, DialogID: c.DialogID, Data: store.EventData{Note: &logged}})
		return nil
	})
	if err != nil {
		return err
	}
	*n = c
	return nil
}

// Notes lists a dialog's notes, oldest first.
func (d *DB) Notes(ctx context.Context, dialogID int64) ([]store.Note, error) {
	return list(ctx, d, "listing notes", func(r scanner, n *store.Note) error {
		return r.Scan(&n.ID, &n.DialogID, &n.OperatorID, &n.OperatorName, &n.Text, timeScanner{&n.CreatedAt})
	}, `SELECT `+noteColumns+` FROM notes WHERE dialog_id = ? ORDER BY id`, dialogID)
}
