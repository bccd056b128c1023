package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

const (
	webhookColumns = `id, uuid, project_id, url, description, events, status, disabled_reason, format, secret,
		previous_secret, previous_until, event_cursor, failing_since, stream_owner, stream_until, created_at, updated_at`
	deliveryColumns = `id, webhook_id, project_id, event_seq, event_type, attempts, status, next_attempt_at,
		last_status, last_error, delivered_at, created_at`
)

func scanWebhook(r scanner, w *store.Webhook) error {
	var events string
	err := r.Scan(&w.ID, &w.UUID, &w.ProjectID, &w.URL, &w.Description, &events, &w.Status, &w.DisabledReason,
		&w.Format, &w.Secret, &w.PreviousSecret, nullTimeScanner{&w.PreviousUntil}, &w.Cursor, nullTimeScanner{&w.FailingSince},
		&w.StreamOwner, nullTimeScanner{&w.StreamUntil}, timeScanner{&w.CreatedAt}, timeScanner{&w.UpdatedAt})
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(events), &w.Events); err != nil {
		return fmt.Errorf("decoding webhook %d's events: %w", w.ID, err)
	}
	return nil
}

func scanDelivery(r scanner, v *store.Delivery) error {
	return r.Scan(&v.ID, &v.WebhookID, &v.ProjectID, &v.EventSeq, &v.EventType, &v.Attempts, &v.Status,
		nullTimeScanner{&v.NextAttemptAt}, &v.LastStatus, &v.LastError, nullTimeScanner{&v.DeliveredAt},
		timeScanner{&v.CreatedAt})
}

// CreateWebhook stores a new webhook; see store.Webhooks.
func (d *DB) CreateWebhook(ctx context.Context, w *store.Webhook) error {
	c, err := rules.Webhook(*w)
	if err != nil {
		return err
	}
	if err := rules.CheckWebhookSecret(w.Secret); err != nil {
		return err
	}
	if c.UUID, err = rules.NewWebhookUUID(); err != nil {
		return err
	}
	events, err := rules.JSON(c.Events)
	if err != nil {
		return err
	}
	c.Status, c.DisabledReason = store.WebhookActive, ""
	c.Cursor, c.FailingSince, c.PreviousSecret, c.PreviousUntil = 0, nil, "", nil
	c.CreatedAt = d.now()
	c.UpdatedAt = c.CreatedAt
	err = d.write(ctx, "creating webhook", func(t *tx) error {
		// A new webhook hears of what happens from now on, not the log's past.
		last, err := t.lastEventSeq(ctx, c.ProjectID, 0)
		if err != nil {
			return notFound(err, "Project", c.ProjectID)
		}
		c.Cursor = last
		err = t.queryRow(ctx, `INSERT INTO webhooks (uuid, project_id, url, description, events, status, disabled_reason,
			format, secret, previous_secret, event_cursor, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, '', ?, ?, '', ?, ?, ?) RETURNING id`,
			c.UUID, c.ProjectID, c.URL, c.Description, events, c.Status, c.Format, c.Secret, c.Cursor, d.ts(c.CreatedAt),
			d.ts(c.UpdatedAt)).Scan(&c.ID)
		if d.isForeignKey(err) {
			return rules.NotFound("Project", c.ProjectID)
		}
		return err
	})
	if err != nil {
		return err
	}
	*w = c
	return nil
}

// Webhook returns a project's webhook; see store.Webhooks.
func (d *DB) Webhook(ctx context.Context, projectID int64, uuid string) (*store.Webhook, error) {
	w := &store.Webhook{}
	err := scanWebhook(d.queryRow(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE project_id = ? AND uuid = ?`,
		projectID, rules.Clean(uuid)), w)
	if err != nil {
		return nil, wrap("loading webhook", notFound(err, "Webhook", uuid))
	}
	return w, nil
}

// ListWebhooks lists a project's webhooks, oldest first.
func (d *DB) ListWebhooks(ctx context.Context, projectID int64) ([]store.Webhook, error) {
	return list(ctx, d, "listing webhooks", scanWebhook,
		`SELECT `+webhookColumns+` FROM webhooks WHERE project_id = ? ORDER BY id`, projectID)
}

// UpdateWebhook stores a webhook's settings; see store.Webhooks.
func (d *DB) UpdateWebhook(ctx context.Context, w *store.Webhook) error {
	c, err := rules.Webhook(*w)
	if err != nil {
		return err
	}
	events, err := rules.JSON(c.Events)
	if err != nil {
		return err
	}
	out := &store.Webhook{}
	err = d.write(ctx, "updating webhook", func(t *tx) error {
		res, err := t.exec(ctx, `UPDATE webhooks SET url = ?, description = ?, events = ?, status = ?, disabled_reason = ?,
			updated_at = ? WHERE project_id = ? AND uuid = ?`,
			c.URL, c.Description, events, c.Status, c.DisabledReason, d.ts(d.now()), c.ProjectID, c.UUID)
		if err := changed(res, err, "Webhook", c.UUID); err != nil {
			return err
		}
		return scanWebhook(t.queryRow(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE project_id = ? AND uuid = ?`,
			c.ProjectID, c.UUID), out)
	})
	if err != nil {
		return err
	}
	*w = *out
	return nil
}

// DeleteWebhook deletes a webhook and its deliveries; see store.Webhooks.
func (d *DB) DeleteWebhook(ctx context.Context, projectID int64, uuid string) error {
	return d.write(ctx, "deleting webhook", func(t *tx) error {
		id, err := t.webhookID(ctx, projectID, uuid)
		if err != nil {
			return err
		}
		if _, err := t.exec(ctx, `DELETE FROM webhook_deliveries WHERE webhook_id = ?`, id); err != nil {
			return err
		}
		_, err = t.exec(ctx, `DELETE FROM webhooks WHERE id = ?`, id)
		return err
	})
}

// webhookID returns the id of a project's webhook by UUID, its row locked
// where rows are locked; ENOTFOUND if none.
func (t *tx) webhookID(ctx context.Context, projectID int64, uuid string) (int64, error) {
	var id int64
	err := t.queryRow(ctx, `SELECT id FROM webhooks WHERE project_id = ? AND uuid = ?`+t.lock("FOR UPDATE"),
		projectID, uuid).Scan(&id)
	return id, notFound(err, "Webhook", uuid)
}

// RotateWebhookSecret replaces a webhook's secret, keeping the old one
// until keepOldUntil; see store.Webhooks.
func (d *DB) RotateWebhookSecret(ctx context.Context, projectID int64, uuid, newSealed string, keepOldUntil time.Time) error {
	if err := rules.CheckWebhookSecret(newSealed); err != nil {
		return err
	}
	return d.write(ctx, "rotating webhook secret", func(t *tx) error {
		// SET expressions read the row as it was, so previous_secret gets the old secret.
		res, err := t.exec(ctx, `UPDATE webhooks SET previous_secret = secret, previous_until = ?, secret = ?, updated_at = ?
			WHERE project_id = ? AND uuid = ?`, d.ts(keepOldUntil), newSealed, d.ts(d.now()), projectID, uuid)
		return changed(res, err, "Webhook", uuid)
	})
}

// FanOut adds a webhook's deliveries of events and raises its cursor; see
// store.Webhooks.
func (d *DB) FanOut(ctx context.Context, webhookID int64, evs []store.Event) error {
	return d.write(ctx, "fanning out events", func(t *tx) error {
		var projectID int64
		var uuid, events string
		// The lock orders fan-outs of one webhook, so its cursor only rises.
		err := t.queryRow(ctx, `SELECT project_id, uuid, events FROM webhooks WHERE id = ?`+t.lock("FOR UPDATE"),
			webhookID).Scan(&projectID, &uuid, &events)
		if err != nil {
			return notFound(err, "Webhook", webhookID)
		}
		var types []string
		if err := json.Unmarshal([]byte(events), &types); err != nil {
			return fmt.Errorf("decoding webhook %d's events: %w", webhookID, err)
		}
		deliver, last := rules.FanOut(projectID, uuid, types, evs)
		now := d.ts(d.now())
		for _, ev := range deliver {
			_, err := t.exec(ctx, `INSERT INTO webhook_deliveries (webhook_id, project_id, event_seq, event_type, status,
				next_attempt_at, created_at) VALUES (?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (webhook_id, event_seq) DO NOTHING`,
				webhookID, projectID, ev.Seq, ev.Type, now, now)
			if err != nil {
				return err
			}
		}
		_, err = t.exec(ctx, `UPDATE webhooks SET event_cursor = ? WHERE id = ? AND event_cursor < ?`, last, webhookID, last)
		return err
	})
}

// ClaimDeliveries claims due deliveries for a lease; see store.Webhooks.
// Where write transactions run side by side, SKIP LOCKED passes over the
// deliveries another claim holds until it commits, after which they are
// no longer due.
func (d *DB) ClaimDeliveries(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]store.Delivery, error) {
	// Most of the time nothing is due: a read finds that without taking
	// a turn at the writer, which the turns need.
	var due int
	err := d.queryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM webhook_deliveries
		WHERE status = 'pending' AND next_attempt_at <= ? LIMIT 1) due`, d.ts(now)).Scan(&due)
	if err != nil || due == 0 {
		return nil, wrap("looking for due deliveries", err)
	}
	var out []store.Delivery
	err = d.write(ctx, "claiming deliveries", func(t *tx) error {
		rows, err := t.query(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries
			WHERE status = 'pending' AND next_attempt_at <= ?
				AND webhook_id IN (SELECT id FROM webhooks WHERE status = 'active')
			ORDER BY next_attempt_at, id LIMIT ?`+t.lock("FOR UPDATE SKIP LOCKED"),
			d.ts(now), rules.PageLimit(limit))
		if err != nil {
			return err
		}
		if out, err = collect(rows, scanDelivery); err != nil || len(out) == 0 {
			return err
		}
		until := rules.Time(now.Add(lease))
		ids := make([]any, 0, len(out)+1)
		ids = append(ids, d.ts(until))
		for i := range out {
			out[i].NextAttemptAt = &until
			ids = append(ids, out[i].ID)
		}
		_, err = t.exec(ctx, `UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id IN (`+marks(len(out))+`)`, ids...)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RecordAttempts stores attempts' outcomes in one transaction; see
// store.Webhooks.
func (d *DB) RecordAttempts(ctx context.Context, as []store.AttemptResult) error {
	if len(as) == 0 {
		return nil
	}
	return d.write(ctx, "recording delivery attempts", func(t *tx) error {
		for _, a := range as {
			if err := t.recordAttempt(ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
}

// recordAttempt is RecordAttempts of one attempt, in t.
func (t *tx) recordAttempt(ctx context.Context, a store.AttemptResult) error {
	a.At = t.attemptAt(a)
	status := rules.DeliveryStatus(a)
	next, delivered := t.attemptTimes(a, status)
	var webhookID int64
	err := t.queryRow(ctx, `UPDATE webhook_deliveries SET attempts = attempts + 1, status = ?, next_attempt_at = ?,
		last_status = ?, last_error = ?, delivered_at = ? WHERE id = ? RETURNING webhook_id`,
		status, next, a.Status, a.Err, delivered, a.DeliveryID).Scan(&webhookID)
	if err != nil {
		return notFound(err, "Delivery", a.DeliveryID)
	}
	return t.webhookAttempted(ctx, webhookID, []store.AttemptResult{a})
}

// attemptAt is when an attempt was made, as stored: now when unset.
func (t *tx) attemptAt(a store.AttemptResult) time.Time {
	if a.At.IsZero() {
		return t.db.now()
	}
	return rules.Time(a.At)
}

// attemptTimes are the next_attempt_at and delivered_at a delivery gets
// from an attempt (made at a.At) that left it in status: NULL or a time.
func (t *tx) attemptTimes(a store.AttemptResult, status string) (next, delivered any) {
	switch status {
	case store.DeliveryPending:
		next = t.db.ts(*a.NextAt)
	case store.DeliveryDelivered:
		delivered = t.db.ts(a.At)
	}
	return next, delivered
}

// webhookAttempted updates a webhook after attempts at its deliveries (At
// set): FailingSince becomes the first failure after the last success (nil
// when none failed after it; kept when none succeeded and it is set), and
// a gone endpoint, or one failing for WebhookFailingFor at its last
// failure, is disabled, with an event.
func (t *tx) webhookAttempted(ctx context.Context, webhookID int64, as []store.AttemptResult) error {
	var lastOK, firstFail, lastFail time.Time
	gone := false
	for _, a := range as {
		if a.Delivered && a.At.After(lastOK) {
			lastOK = a.At
		}
	}
	for _, a := range as {
		if a.Delivered {
			continue
		}
		gone = gone || a.Gone
		if a.At.After(lastFail) {
			lastFail = a.At
		}
		if a.At.After(lastOK) && (firstFail.IsZero() || a.At.Before(firstFail)) {
			firstFail = a.At
		}
	}
	var err error
	switch {
	case !lastOK.IsZero() && firstFail.IsZero():
		_, err = t.exec(ctx, `UPDATE webhooks SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL`, webhookID)
	case !lastOK.IsZero():
		_, err = t.exec(ctx, `UPDATE webhooks SET failing_since = ? WHERE id = ?`, t.db.ts(firstFail), webhookID)
	case !firstFail.IsZero():
		_, err = t.exec(ctx, `UPDATE webhooks SET failing_since = ? WHERE id = ? AND failing_since IS NULL`,
			t.db.ts(firstFail), webhookID)
	}
	if err != nil || lastFail.IsZero() {
		return err
	}
	return t.disableFailing(ctx, webhookID, gone, lastFail)
}

// disableFailing disables an active webhook whose endpoint is gone, or
// which has failed since WebhookFailingFor before at, logging
// webhook.disabled.
func (t *tx) disableFailing(ctx context.Context, webhookID int64, gone bool, at time.Time) error {
	reason, cond := store.WebhookGoneReason, ""
	args := []any{store.WebhookDisabled, reason, t.db.ts(at), webhookID, store.WebhookActive}
	if !gone { // a 410 disables whatever else the attempts met
		reason, cond = store.WebhookFailingReason, ` AND failing_since <= ?`
		args[1] = reason
		args = append(args, t.db.ts(at.Add(-store.WebhookFailingFor)))
	}
	var projectID int64
	var uuid string
	err := t.queryRow(ctx, `UPDATE webhooks SET status = ?, disabled_reason = ?, updated_at = ?
		WHERE id = ? AND status = ?`+cond+` RETURNING project_id, uuid`, args...).Scan(&projectID, &uuid)
	if errors.Is(err, sql.ErrNoRows) {
		return nil // still active: not gone, and failing for less long
	}
	if err != nil {
		return err
	}
	t.log(store.Event{ProjectID: projectID, Type: store.EventWebhookDisabled,
		Data: store.EventData{Extra: map[string]any{"webhook_id": uuid, "reason": reason}}})
	return nil
}

// ClaimStreams gives owner the streams of the active webhooks nobody else
// holds; see store.Webhooks. Where write transactions run side by side, an
// update that waited for another's row lock checks the row as that one
// left it, so one claimer wins each stream.
func (d *DB) ClaimStreams(ctx context.Context, owner string, now time.Time, lease time.Duration) ([]store.Webhook, error) {
	if owner == "" {
		return nil, store.Errorf(store.EINVALID, "A webhook stream's owner cannot be empty.")
	}
	var out []store.Webhook
	err := d.write(ctx, "claiming webhook streams", func(t *tx) error {
		rows, err := t.query(ctx, `UPDATE webhooks SET stream_owner = ?, stream_until = ?
			WHERE status = 'active' AND (stream_owner = ? OR stream_until IS NULL OR stream_until <= ?)
			RETURNING `+webhookColumns, owner, d.ts(now.Add(lease)), owner, d.ts(now))
		if err != nil {
			return err
		}
		out, err = collect(rows, scanWebhook)
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b store.Webhook) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// insertStreamDelivery makes the delivery of an event with its first
// attempt.
const insertStreamDelivery = `INSERT INTO webhook_deliveries (webhook_id, project_id, event_seq, event_type, attempts,
	status, next_attempt_at, last_status, last_error, delivered_at, created_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (webhook_id, event_seq) DO NOTHING`

// RecordStream stores a batch of a webhook's stream in one transaction;
// see store.Webhooks.
func (d *DB) RecordStream(ctx context.Context, b store.StreamBatch) error {
	return d.write(ctx, "recording webhook deliveries", func(t *tx) error {
		var projectID int64
		err := t.queryRow(ctx, `UPDATE webhooks SET event_cursor = CASE WHEN event_cursor < ? THEN ? ELSE event_cursor END,
			stream_until = CASE WHEN stream_owner = ? THEN ? ELSE stream_until END WHERE id = ? RETURNING project_id`,
			b.Cursor, b.Cursor, b.Owner, d.ts(b.Until), b.WebhookID).Scan(&projectID)
		if err != nil {
			return notFound(err, "Webhook", b.WebhookID)
		}
		if len(b.Attempts) == 0 {
			return nil
		}
		// Prepared once for the batch: parsing the insert anew for each
		// row would cost more than running it (SQLite).
		st, err := t.PrepareContext(ctx, d.rebind(insertStreamDelivery))
		if err != nil {
			return err
		}
		defer st.Close()
		created := d.ts(d.now())
		as := make([]store.AttemptResult, len(b.Attempts))
		for i, sa := range b.Attempts {
			a := sa.AttemptResult
			a.At = t.attemptAt(a)
			status := rules.DeliveryStatus(a)
			next, delivered := t.attemptTimes(a, status)
			_, err := st.ExecContext(ctx, rules.CleanArgs([]any{b.WebhookID, projectID, sa.EventSeq, sa.EventType, status,
				next, a.Status, a.Err, delivered, created})...)
			if err != nil {
				return err
			}
			as[i] = a
		}
		return t.webhookAttempted(ctx, b.WebhookID, as)
	})
}

// Deliveries lists a webhook's deliveries, newest first; see
// store.Webhooks.
func (d *DB) Deliveries(ctx context.Context, projectID int64, webhookUUID string, limit int) ([]store.Delivery, error) {
	var out []store.Delivery
	err := d.read(ctx, "listing deliveries", func(t *tx) error {
		var id int64
		err := t.queryRow(ctx, `SELECT id FROM webhooks WHERE project_id = ? AND uuid = ?`, projectID, webhookUUID).Scan(&id)
		if err != nil {
			return notFound(err, "Webhook", webhookUUID)
		}
		rows, err := t.query(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE webhook_id = ?
			ORDER BY id DESC LIMIT ?`, id, rules.PageLimit(limit))
		if err != nil {
			return err
		}
		out, err = collect(rows, scanDelivery)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Delivery returns a project's delivery; see store.Webhooks.
func (d *DB) Delivery(ctx context.Context, projectID, id int64) (*store.Delivery, error) {
	v := &store.Delivery{}
	err := scanDelivery(d.queryRow(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries WHERE project_id = ? AND id = ?`,
		projectID, id), v)
	if err != nil {
		return nil, wrap("loading delivery", notFound(err, "Delivery", id))
	}
	return v, nil
}

// RetryDelivery makes a delivery pending again; see store.Webhooks.
func (d *DB) RetryDelivery(ctx context.Context, projectID, id int64, now time.Time) error {
	return d.write(ctx, "retrying delivery", func(t *tx) error {
		res, err := t.exec(ctx, `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?
			WHERE project_id = ? AND id = ?`, d.ts(now), projectID, id)
		return changed(res, err, "Delivery", id)
	})
}

// ActiveWebhooks lists every project's active webhooks; see store.Webhooks.
func (d *DB) ActiveWebhooks(ctx context.Context) ([]store.Webhook, error) {
	return list(ctx, d, "listing active webhooks", scanWebhook,
		`SELECT `+webhookColumns+` FROM webhooks WHERE status = 'active' ORDER BY id`)
}

// WebhookByID returns a webhook of any project; see store.Webhooks.
func (d *DB) WebhookByID(ctx context.Context, id int64) (*store.Webhook, error) {
	w := &store.Webhook{}
	err := scanWebhook(d.queryRow(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = ?`, id), w)
	if err != nil {
		return nil, wrap("loading webhook", notFound(err, "Webhook", id))
	}
	return w, nil
}

// TrimDeliveries deletes old deliveries that are done; see store.Webhooks.
func (d *DB) TrimDeliveries(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := d.write(ctx, "trimming webhook deliveries", func(t *tx) error {
		// Ids grow with created_at, so the first id created at or after
		// before bounds the delete; finding it reads only the rows the
		// delete removes, and no index on created_at has to be kept up
		// with every batch of deliveries. With none that new, all go.
		res, err := t.exec(ctx, `DELETE FROM webhook_deliveries WHERE status <> 'pending' AND id < coalesce(
			(SELECT id FROM webhook_deliveries WHERE created_at >= ? ORDER BY id LIMIT 1),
			(SELECT max(id) + 1 FROM webhook_deliveries))`, t.db.ts(before))
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	return n, err
}

// DialogModeBefore returns a dialog's mode before one of its events; see
// store.Webhooks. The events_dialog index finds the event.
func (d *DB) DialogModeBefore(ctx context.Context, projectID, dialogID, seq int64) (string, error) {
	var data string
	err := d.queryRow(ctx, `SELECT data FROM events WHERE dialog_id = ? AND seq < ? AND project_id = ?
		AND type IN (?, ?, ?) ORDER BY seq DESC LIMIT 1`, dialogID, seq, projectID,
		store.EventDialogCreated, store.EventDialogUpdated, store.EventDialogCompleted).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", wrap("reading a dialog's mode", err)
	}
	var ev store.EventData
	if err := json.Unmarshal([]byte(data), &ev); err != nil {
		return "", fmt.Errorf("decoding dialog %d's event before %d: %w", dialogID, seq, err)
	}
	return ev.Mode, nil
}
