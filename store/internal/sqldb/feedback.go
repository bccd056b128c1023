package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

const feedbackColumns = `id, uuid, project_id, bot_id, dialog_id, seq, message_id, rating, content, created_at, updated_at`

func scanFeedback(r scanner, f *store.Feedback) error {
	return r.Scan(&f.ID, &f.UUID, &f.ProjectID, &f.BotID, &f.DialogID, &f.Seq, &f.MessageID, &f.Rating, &f.Content,
		timeScanner{&f.CreatedAt}, timeScanner{&f.UpdatedAt})
}

// checkRating refuses a rating that is not one of store's.
func checkRating(rating string) error {
	if rating != store.RatingUp && rating != store.RatingDown {
		return store.FieldErrorf(store.EINVALID, "rating", "A rating is %q or %q, not %q.", store.RatingUp, store.RatingDown, rating)
	}
	return nil
}

// SaveFeedback rates a message, replacing its earlier rating; see
// store.Feedbacks.
func (d *DB) SaveFeedback(ctx context.Context, f *store.Feedback) (bool, error) {
	if err := checkRating(f.Rating); err != nil {
		return false, err
	}
	c := *f
	c.Content, c.UpdatedAt = rules.Clean(c.Content), d.now()
	created := false
	err := d.write(ctx, "saving feedback", func(t *tx) error {
		err := t.queryRow(ctx, `SELECT m.id, coalesce(d.bot_id, 0) FROM messages m JOIN dialogs d ON d.id = m.dialog_id
			WHERE d.project_id = ? AND d.deleted_at IS NULL AND m.dialog_id = ? AND m.seq = ?`,
			c.ProjectID, c.DialogID, c.Seq).Scan(&c.MessageID, &c.BotID)
		if err != nil {
			return notFound(err, "Message", fmt.Sprintf("%d of dialog %d", c.Seq, c.DialogID))
		}
		err = t.queryRow(ctx, `UPDATE feedback SET rating = ?, content = ?, updated_at = ? WHERE dialog_id = ? AND seq = ?
			RETURNING id, uuid, bot_id, created_at`, c.Rating, c.Content, t.db.ts(c.UpdatedAt), c.DialogID, c.Seq).
			Scan(&c.ID, &c.UUID, &c.BotID, timeScanner{&c.CreatedAt})
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		created, c.UUID, c.CreatedAt = true, uuid.NewString(), c.UpdatedAt
		return t.queryRow(ctx, `INSERT INTO feedback (uuid, project_id, bot_id, dialog_id, seq, message_id, rating, content, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, c.UUID, c.ProjectID, c.BotID, c.DialogID, c.Seq, c.MessageID,
			c.Rating, c.Content, t.db.ts(c.CreatedAt), t.db.ts(c.UpdatedAt)).Scan(&c.ID)
	})
	if err != nil {
		return false, err
	}
	*f = c
	return created, nil
}

// selectFeedback reads a project's feedback by UUID.
const selectFeedback = `SELECT ` + feedbackColumns + ` FROM feedback WHERE project_id = ? AND uuid = ?`

// Feedback returns a project's feedback by UUID; see store.Feedbacks.
func (d *DB) Feedback(ctx context.Context, projectID int64, id string) (*store.Feedback, error) {
	parsed, err := uuid.Parse(id)
	if err != nil {
		return nil, rules.NotFound("Feedback", fmt.Sprintf("%q", id))
	}
	f := &store.Feedback{}
	if err := scanFeedback(d.queryRow(ctx, selectFeedback, projectID, parsed.String()), f); err != nil {
		return nil, wrap("loading feedback", notFound(err, "Feedback", fmt.Sprintf("%q", id)))
	}
	return f, nil
}

// UpdateFeedback changes a feedback's rating and content; see
// store.Feedbacks.
func (d *DB) UpdateFeedback(ctx context.Context, projectID int64, id string, u store.FeedbackUpdate) (*store.Feedback, error) {
	if u.Rating != nil {
		if err := checkRating(*u.Rating); err != nil {
			return nil, err
		}
	}
	parsed, err := uuid.Parse(id)
	if err != nil {
		return nil, rules.NotFound("Feedback", fmt.Sprintf("%q", id))
	}
	f := &store.Feedback{}
	err = d.write(ctx, "updating feedback", func(t *tx) error {
		if err := scanFeedback(t.queryRow(ctx, selectFeedback, projectID, parsed.String()), f); err != nil {
			return notFound(err, "Feedback", fmt.Sprintf("%q", id))
		}
		if u.Rating != nil {
			f.Rating = *u.Rating
		}
		if u.Content != nil {
			f.Content = rules.Clean(*u.Content)
		}
		f.UpdatedAt = t.db.now()
		_, err = t.exec(ctx, `UPDATE feedback SET rating = ?, content = ?, updated_at = ? WHERE id = ?`,
			f.Rating, f.Content, t.db.ts(f.UpdatedAt), f.ID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// ListFeedback lists a bot's feedback; see store.Feedbacks.
func (d *DB) ListFeedback(ctx context.Context, projectID int64, f store.FeedbackFilter) ([]store.Feedback, error) {
	where, args := `project_id = ? AND bot_id = ?`, []any{projectID, f.BotID}
	if f.DialogID != 0 {
		where, args = where+` AND dialog_id = ?`, append(args, f.DialogID)
	}
	if f.From != nil {
		where, args = where+` AND created_at >= ?`, append(args, d.ts(*f.From))
	}
	if f.To != nil {
		where, args = where+` AND created_at <= ?`, append(args, d.ts(*f.To))
	}
	order := `created_at, id`
	if f.Desc {
		order = `created_at DESC, id DESC`
	}
	return list(ctx, d, "listing feedback", scanFeedback, `SELECT `+feedbackColumns+` FROM feedback WHERE `+where+` ORDER BY `+order, args...)
}
