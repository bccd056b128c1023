package sqldb

import (
	"context"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

// chatMessageColumns are a message's columns (m), then its dialog's (d)
// and its feedback's (f, NULL when it has none), in scanChatMessage's
// order.
var chatMessageColumns = prefixed("m.", messageColumns) + `,
	d.uuid, d.external_id, coalesce(d.bot_id, 0), d.source, d.user_profile,
	coalesce(f.id, 0), coalesce(f.uuid, ''), coalesce(f.bot_id, 0), coalesce(f.rating, ''), coalesce(f.content, ''),
	f.created_at, f.updated_at`

// prefixed qualifies each of a list of columns with prefix.
func prefixed(prefix, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = prefix + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// withMore is a scanner whose rows hold more columns than its caller
// scans: the rest go into more. It lets scanMessage read a message that
// a join widened.
type withMore struct {
	r    scanner
	more []any
}

func (w withMore) Scan(dest ...any) error { return w.r.Scan(append(dest, w.more...)...) }

func scanChatMessage(r scanner, cm *store.ChatMessage) error {
	var profile string
	var f store.Feedback
	var created, updated *time.Time
	err := scanMessage(withMore{r, []any{&cm.Dialog.UUID, &cm.Dialog.ExternalID, &cm.Dialog.BotID, &cm.Dialog.Source, &profile,
		&f.ID, &f.UUID, &f.BotID, &f.Rating, &f.Content, nullTimeScanner{&created}, nullTimeScanner{&updated}}}, &cm.Message)
	if err != nil {
		return err
	}
	cm.Dialog.ID = cm.DialogID
	if cm.Dialog.User, err = rules.Profile(profile); err != nil {
		return err
	}
	if f.ID != 0 && created != nil && updated != nil {
		f.DialogID, f.Seq, f.MessageID, f.CreatedAt, f.UpdatedAt = cm.DialogID, cm.Seq, cm.ID, *created, *updated
		cm.Feedback = &f
	}
	return nil
}

// ChatMessages lists a bot's messages with their dialogs and feedback;
// see store.Feedbacks.
func (d *DB) ChatMessages(ctx context.Context, projectID int64, f store.ChatMessageFilter) ([]store.ChatMessage, error) {
	where, args := `d.project_id = ? AND d.bot_id = ? AND d.deleted_at IS NULL`, []any{projectID, f.BotID}
	if f.Chat != "" {
		// PostgreSQL compares a uuid column only with a UUID.
		if u, err := uuid.Parse(f.Chat); err == nil {
			where, args = where+` AND (d.uuid = ? OR d.external_id = ?)`, append(args, u.String(), f.Chat)
		} else {
			where, args = where+` AND d.external_id = ?`, append(args, f.Chat)
		}
	}
	if f.Test != nil {
		op := "<>"
		if *f.Test {
			op = "="
		}
		where, args = where+` AND d.source `+op+` ?`, append(args, store.SourceTest)
	}
	if f.From != nil {
		where, args = where+` AND m.created_at >= ?`, append(args, d.ts(*f.From))
	}
	if f.To != nil {
		where, args = where+` AND m.created_at <= ?`, append(args, d.ts(*f.To))
	}
	order := `m.created_at, m.dialog_id, m.seq`
	if f.Desc {
		order = `m.created_at DESC, m.dialog_id DESC, m.seq DESC`
	}
	return list(ctx, d, "listing chat messages", scanChatMessage, `SELECT `+chatMessageColumns+`
		FROM messages m JOIN dialogs d ON d.id = m.dialog_id
		LEFT JOIN feedback f ON f.dialog_id = m.dialog_id AND f.seq = m.seq
		WHERE `+where+` ORDER BY `+order, args...)
}

// DeleteMessages deletes messages and their feedback; see store.Feedbacks.
func (d *DB) DeleteMessages(ctx context.Context, projectID int64, keys []store.MessageKey) (int, error) {
	deleted := 0
	err := d.write(ctx, "deleting messages", func(t *tx) error {
		deleted = 0
		ours := map[int64]bool{}
		for _, k := range keys {
			ok, err := t.dialogOf(ctx, projectID, k.DialogID, ours)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			n, err := t.deleteMessage(ctx, k)
			if err != nil {
				return err
			}
			deleted += n
		}
		return nil
	})
	return deleted, err
}

// dialogOf reports whether dialog id is the project's, remembering the
// answer in seen.
func (t *tx) dialogOf(ctx context.Context, projectID, id int64, seen map[int64]bool) (bool, error) {
	if ok, known := seen[id]; known {
		return ok, nil
	}
	var n int
	err := t.queryRow(ctx, `SELECT count(*) FROM dialogs WHERE project_id = ? AND id = ?`, projectID, id).Scan(&n)
	seen[id] = n > 0
	return n > 0, err
}

// deleteMessage deletes one message, its feedback and its place in the
// full-text index, and returns 1, or 0 if it was not stored.
func (t *tx) deleteMessage(ctx context.Context, k store.MessageKey) (int, error) {
	if f := t.db.dialect.TextForgetMessage; f != "" {
		if _, err := t.exec(ctx, f, k.DialogID, k.Seq); err != nil {
			return 0, err
		}
	}
	if _, err := t.exec(ctx, `DELETE FROM feedback WHERE dialog_id = ? AND seq = ?`, k.DialogID, k.Seq); err != nil {
		return 0, err
	}
	res, err := t.exec(ctx, `DELETE FROM messages WHERE dialog_id = ? AND seq = ?`, k.DialogID, k.Seq)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
