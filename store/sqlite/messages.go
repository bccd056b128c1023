package sqlite

import (
	"context"

	"parley/store"
	"parley/store/internal/rules"
)

const (
	messageColumns = `id, dialog_id, seq, role, text, buttons, operator, node, client_message_id, created_at`
	dataColumns    = `dialog_id, seq, question, type, answer, variable, deleted, created_at`
)

func scanMessage(r scanner, m *store.Message) error {
	var buttons string
	err := r.Scan(&m.ID, &m.DialogID, &m.Seq, &m.Role, &m.Text, &buttons, &m.Operator, &m.Node,
		&m.ClientMessageID, timeScanner{&m.CreatedAt})
	if err != nil {
		return err
	}
	m.Buttons, err = rules.Buttons(buttons)
	return err
}

func scanData(r scanner, it *store.DataItem) error {
	return r.Scan(&it.DialogID, &it.Seq, &it.Question, &it.Type, &it.Answer, &it.Variable, &it.Deleted,
		timeScanner{&it.CreatedAt})
}

// AppendMessages stores messages, skipping any whose (DialogID, Seq) is
// stored; ENOTFOUND if a dialog does not exist, ECONFLICT if an ID is taken
// by another (DialogID, Seq).
func (d *DB) AppendMessages(ctx context.Context, msgs []store.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	return d.write(ctx, "appending messages", func(t *tx) error {
		for _, m := range msgs {
			buttons, err := rules.JSON(m.Buttons)
			if err != nil {
				return err
			}
			_, err = t.exec(ctx, `INSERT INTO messages (`+messageColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (dialog_id, seq) DO NOTHING`,
				m.ID, m.DialogID, m.Seq, m.Role, m.Text, buttons, m.Operator, m.Node, m.ClientMessageID, ts(m.CreatedAt))
			switch {
			case isForeignKey(err):
				return rules.NotFound("Dialog", m.DialogID)
			case isUnique(err):
				return rules.ErrMessageIDUsed
			case err != nil:
				return err
			}
		}
		return nil
	})
}

// Messages lists a dialog's messages by Seq.
func (d *DB) Messages(ctx context.Context, dialogID int64) ([]store.Message, error) {
	return list(ctx, d, "listing messages", scanMessage,
		`SELECT `+messageColumns+` FROM messages WHERE dialog_id = ? ORDER BY seq`, dialogID)
}

// AppendData stores collected data, skipping (DialogID, Seq) already stored;
// ENOTFOUND if a dialog does not exist.
func (d *DB) AppendData(ctx context.Context, items []store.DataItem) error {
	if len(items) == 0 {
		return nil
	}
	return d.write(ctx, "appending data", func(t *tx) error {
		for _, it := range items {
			_, err := t.exec(ctx, `INSERT INTO data_items (`+dataColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (dialog_id, seq) DO NOTHING`,
				it.DialogID, it.Seq, it.Question, it.Type, it.Answer, it.Variable, it.Deleted, ts(it.CreatedAt))
			switch {
			case isForeignKey(err):
				return rules.NotFound("Dialog", it.DialogID)
			case err != nil:
				return err
			}
		}
		return nil
	})
}

// Data lists a dialog's collected data by Seq.
func (d *DB) Data(ctx context.Context, dialogID int64) ([]store.DataItem, error) {
	return list(ctx, d, "listing data", scanData,
		`SELECT `+dataColumns+` FROM data_items WHERE dialog_id = ? ORDER BY seq`, dialogID)
}
