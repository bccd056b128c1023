package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

const (
	messageColumns = `id, dialog_id, seq, role, text, buttons, operator, node, client_message_id, created_at,
		usage_model, usage_prompt_tokens, usage_completion_tokens, sources, files`
	dataColumns = `dialog_id, seq, question, type, answer, variable, deleted, created_at`

	insertMessage = `INSERT INTO messages (` + messageColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (dialog_id, seq) DO NOTHING`
	insertData = `INSERT INTO data_items (` + dataColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (dialog_id, seq) DO NOTHING`
)

func scanMessage(r scanner, m *store.Message) error {
	var (
		buttons            string
		model, sources     *string
		files              *string
		prompt, completion *int64
	)
	err := r.Scan(&m.ID, &m.DialogID, &m.Seq, &m.Role, &m.Text, &buttons, &m.Operator, &m.Node,
		&m.ClientMessageID, timeScanner{&m.CreatedAt}, &model, &prompt, &completion, &sources, &files)
	if err != nil {
		return err
	}
	m.Usage = rules.Usage(model, prompt, completion)
	if m.Sources, err = rules.DecodeSources(sources); err != nil {
		return err
	}
	if files != nil {
		if err := json.Unmarshal([]byte(*files), &m.Files); err != nil {
			return fmt.Errorf("decoding a message's files: %w", err)
		}
	}
	m.Buttons, err = rules.Buttons(buttons)
	return err
}

func scanData(r scanner, it *store.DataItem) error {
	return r.Scan(&it.DialogID, &it.Seq, &it.Question, &it.Type, &it.Answer, &it.Variable, &it.Deleted,
		timeScanner{&it.CreatedAt})
}

// AppendMessages stores messages, skipping any whose (DialogID, Seq) is
// stored; see store.Dialogs.
func (d *DB) AppendMessages(ctx context.Context, msgs []store.Message) error {
	return d.saveTurn(ctx, "appending messages", store.Turn{Messages: msgs}, false)
}

// appendMessages is AppendMessages in t, which has the messages' dialogs to
// itself (see saveTurn); p's Buttons[i], Sources[i] and Files[i] are its
// Messages[i]'s as stored (see rules.PrepareTurn).
// msgs[i].Sources as stored (see rules.PrepareTurn).
func (t *tx) appendMessages(ctx context.Context, p *rules.Turn) error {
	for i, m := range p.Messages {
		model, prompt, completion := rules.UsageArgs(m.Usage)
		res, err := t.exec(ctx, insertMessage,
			m.ID, m.DialogID, m.Seq, m.Role, m.Text, p.Buttons[i], m.Operator, m.Node, m.ClientMessageID, t.db.ts(m.CreatedAt),
			model, prompt, completion, p.Sources[i], p.Files[i])
		if err == nil {
			err = t.logInserted(res, m)
		}
		switch {
		case t.db.isForeignKey(err):
			return rules.NotFound("Dialog", m.DialogID)
		case t.db.isUnique(err):
			return rules.ErrMessageIDUsed
		case err != nil:
			return err
		}
	}
	return nil
}

// logInserted logs message.created for m if res says its row was
// inserted: a retry, skipped by ON CONFLICT, announces nothing again.
func (t *tx) logInserted(res sql.Result, m store.Message) error {
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return err
	}
	m.Text = rules.Clean(m.Text)
	t.log(store.Event{Type: store.EventMessageCreated, DialogID: m.DialogID, Data: store.EventData{Message: &m}})
	return nil
}

// Messages lists a dialog's messages by Seq.
func (d *DB) Messages(ctx context.Context, dialogID int64) ([]store.Message, error) {
	return list(ctx, d, "listing messages", scanMessage,
		`SELECT `+messageColumns+` FROM messages WHERE dialog_id = ? ORDER BY seq`, dialogID)
}

// UserMessages returns what a person said in a bot's other dialogs; see
// store.Dialogs.
func (d *DB) UserMessages(ctx context.Context, projectID, botID int64, userID string, exceptDialogID int64, limit int) ([]store.Message, error) {
	if userID == "" || limit <= 0 {
		return []store.Message{}, nil
	}
	return list(ctx, d, "listing the user's messages", scanMessage, `SELECT `+messageColumns+` FROM messages
		WHERE role = 'user' AND dialog_id IN (SELECT id FROM dialogs
			WHERE project_id = ? AND bot_id = ? AND user_id = ? AND id <> ?)
		ORDER BY created_at DESC, dialog_id DESC, seq DESC LIMIT ?`, projectID, botID, rules.Clean(userID), exceptDialogID, limit)
}

// AppendData stores collected data, skipping (DialogID, Seq) already stored;
// ENOTFOUND if a dialog does not exist.
func (d *DB) AppendData(ctx context.Context, items []store.DataItem) error {
	return d.saveTurn(ctx, "appending data", store.Turn{Data: items}, false)
}

// appendData is AppendData in t.
func (t *tx) appendData(ctx context.Context, items []store.DataItem) error {
	for _, it := range items {
		_, err := t.exec(ctx, insertData,
			it.DialogID, it.Seq, it.Question, it.Type, it.Answer, it.Variable, it.Deleted, t.db.ts(it.CreatedAt))
		switch {
		case t.db.isForeignKey(err):
			return rules.NotFound("Dialog", it.DialogID)
		case err != nil:
			return err
		}
	}
	return nil
}

// Data lists a dialog's collected data by Seq.
func (d *DB) Data(ctx context.Context, dialogID int64) ([]store.DataItem, error) {
	return list(ctx, d, "listing data", scanData,
		`SELECT `+dataColumns+` FROM data_items WHERE dialog_id = ? ORDER BY seq`, dialogID)
}
