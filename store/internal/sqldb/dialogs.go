package sqldb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

const dialogColumns = `id, uuid, project_id, number, external_id, user_id, user_profile, source, channel_id, ip, location,
	state_seq, bot_id, version, status, mode, node, variables, pending_count, title, working_memory, last_user_at,
	created_at, updated_at, stored_through, scheduled, ` + handoffColumns

// handoffColumns are a dialog's store.Handoff, in handoffArgs' order.
const handoffColumns = `handoff_status, handoff_queue, handoff_reason, handoff_requested_at, handoff_last_text,
	handoff_operator_id, handoff_operator_name, handoff_taken_at, handoff_released_at`

const (
	selectBot   = `SELECT 1 FROM bots WHERE id = ? AND project_id = ?`
	selectState = `SELECT project_id, uuid, bot_id, state_seq, stored_through, stored_ahead,
		status, mode, pending_count, handoff_status, handoff_queue, handoff_requested_at, handoff_operator_id
		FROM dialogs WHERE id = ?`
	// updateState leaves bot_id out (moveBot sets it when it changes): on
	// SQLite, assigning a foreign key column makes the statement keep a
	// statement journal (a copy of every page it changes), a third of what
	// storing a turn cost.
	updateState = `UPDATE dialogs SET state_seq = ?, version = ?, status = ?, mode = ?, node = ?,
		variables = ?, pending_count = ?, title = ?, working_memory = ?, last_user_at = ?, updated_at = ?,
		stored_through = ?, stored_ahead = ?, scheduled = ?,
		handoff_status = ?, handoff_queue = ?, handoff_reason = ?, handoff_requested_at = ?, handoff_last_text = ?,
		handoff_operator_id = ?, handoff_operator_name = ?, handoff_taken_at = ?, handoff_released_at = ?
		WHERE id = ?`
	updateWatermark = `UPDATE dialogs SET stored_through = ?, stored_ahead = ? WHERE id = ?`

	// A deleted dialog (DeleteDialog) is found by no lookup.
	selectDialogByUUID = `SELECT ` + dialogColumns + ` FROM dialogs WHERE project_id = ? AND uuid = ? AND deleted_at IS NULL`
	selectDialogByID   = `SELECT ` + dialogColumns + ` FROM dialogs WHERE project_id = ? AND id = ? AND deleted_at IS NULL`
	// selectDialogByNumber reads the UNIQUE (project_id, number) index.
	selectDialogByNumber = `SELECT ` + dialogColumns + ` FROM dialogs WHERE project_id = ? AND number = ? AND deleted_at IS NULL`
)

func scanDialog(r scanner, d *store.Dialog) error {
	var botID, channelID sql.NullInt64
	var vars, scheduled, profile string
	var h store.Handoff
	err := r.Scan(&d.ID, &d.UUID, &d.ProjectID, &d.Number, &d.ExternalID, &d.UserID, &profile, &d.Source, &channelID, &d.IP, &d.Location,
		&d.StateSeq, &botID, &d.Version, &d.Status, &d.Mode, &d.Node, &vars, &d.PendingCount, &d.Title, &d.WorkingMemory,
		nullTimeScanner{&d.LastUserAt}, timeScanner{&d.CreatedAt}, timeScanner{&d.UpdatedAt}, &d.StoredThrough, &scheduled,
		&h.Status, &h.Queue, &h.Reason, nullTimeScanner{&h.RequestedAt}, &h.LastUserText,
		&h.OperatorID, &h.OperatorName, nullTimeScanner{&h.TakenAt}, nullTimeScanner{&h.ReleasedAt})
	if err != nil {
		return err
	}
	d.DialogID, d.BotID, d.ChannelID = d.ID, botID.Int64, channelID.Int64
	if h.Status != store.HandoffNone {
		d.Handoff = &h
	}
	if d.Variables, err = rules.Variables(vars); err != nil {
		return err
	}
	if d.User, err = rules.Profile(profile); err != nil {
		return err
	}
	d.Scheduled, err = rules.Scheduled(scheduled)
	return err
}

// handoffArgs are the arguments that store h in handoffColumns' order.
func (d *DB) handoffArgs(h *store.Handoff) []any {
	if h == nil {
		h = &store.Handoff{Status: store.HandoffNone}
	}
	return []any{h.Status, h.Queue, h.Reason, d.tsPtr(h.RequestedAt), h.LastUserText,
		h.OperatorID, h.OperatorName, d.tsPtr(h.TakenAt), d.tsPtr(h.ReleasedAt)}
}

// nullID stores id 0 as NULL, for a dialog without a bot.
func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// CreateDialog stores a new dialog; see store.Dialogs. The number comes from
// a counter on the project row, which concurrent calls in a project update
// in turn (at the writer queue, or waiting for the row's lock), so numbers
// stay gapless.
func (d *DB) CreateDialog(ctx context.Context, dlg *store.Dialog) error {
	c := rules.CleanDialog(*dlg)
	var err error
	if c.UUID, err = rules.NewUUID(c.UUID); err != nil {
		return err
	}
	vars, err := rules.JSON(c.Variables)
	if err != nil {
		return fmt.Errorf("creating dialog: %w", err)
	}
	scheduled, err := rules.ScheduledJSON(c.Scheduled)
	if err != nil {
		return fmt.Errorf("creating dialog: %w", err)
	}
	profile, err := rules.ProfileJSON(c.User)
	if err != nil {
		return fmt.Errorf("creating dialog: %w", err)
	}
	c.CreatedAt = d.now()
	c.UpdatedAt = c.CreatedAt
	err = d.write(ctx, "creating dialog", func(t *tx) error {
		err := t.queryRow(ctx, `UPDATE projects SET dialog_count = dialog_count + 1 WHERE id = ? RETURNING dialog_count`,
			c.ProjectID).Scan(&c.Number)
		if err != nil {
			return notFound(err, "Project", c.ProjectID)
		}
		if err := t.checkBot(ctx, c.ProjectID, c.BotID); err != nil {
			return err
		}
		if c.ChannelID, err = t.dialogChannel(ctx, c.ProjectID, c.BotID, c.ChannelID); err != nil {
			return err
		}
		if c.ID, err = t.nextID(ctx); err != nil {
			return err
		}
		c.DialogID = c.ID
		args := append([]any{c.ID, c.UUID, c.ProjectID, c.Number, c.ExternalID, c.UserID, profile, c.Source, nullID(c.ChannelID), c.IP, c.Location,
			c.StateSeq, nullID(c.BotID), c.Version, c.Status, c.Mode, c.Node, vars, c.PendingCount, c.Title, c.WorkingMemory,
			d.tsPtr(c.LastUserAt), d.ts(c.CreatedAt), d.ts(c.UpdatedAt), c.StoredThrough, scheduled}, d.handoffArgs(c.Handoff)...)
		_, err = t.exec(ctx, `INSERT INTO dialogs (`+dialogColumns+`, stored_ahead)
			VALUES (`+marks(len(args)+1)+`)`, append(args, c.StoredThrough)...)
		if d.isUnique(err) {
			return rules.ErrDialogUUIDUsed
		}
		if err != nil {
			return err
		}
		t.log(store.Event{ProjectID: c.ProjectID, Type: store.EventDialogCreated, DialogID: c.ID, DialogUUID: c.UUID,
			BotID: c.BotID, Queue: c.Handoff.ActiveQueue(), Data: store.EventData{Status: c.Status, Mode: c.Mode}})
		return nil
	})
	if err != nil {
		return err
	}
	*dlg = c
	return nil
}

// checkBot returns ENOTFOUND unless botID is 0 or a bot of the project, so a
// dialog never points at another project's bot.
func (t *tx) checkBot(ctx context.Context, projectID, botID int64) error {
	if botID == 0 {
		return nil
	}
	var one int
	err := t.queryRow(ctx, selectBot, botID, projectID).Scan(&one)
	return notFound(err, "Bot", botID)
}

// Dialog returns a project's dialog by UUID; ENOTFOUND if there is none.
func (d *DB) Dialog(ctx context.Context, projectID int64, uuid string) (*store.Dialog, error) {
	id, ok := rules.LookupUUID(uuid)
	if !ok {
		return nil, rules.NotFound("Dialog", uuid)
	}
	dlg := &store.Dialog{}
	err := scanDialog(d.queryRow(ctx, selectDialogByUUID, projectID, id), dlg)
	if err != nil {
		return nil, wrap("loading dialog", notFound(err, "Dialog", uuid))
	}
	return dlg, nil
}

// DialogByID returns a project's dialog by integer id; ENOTFOUND if none.
func (d *DB) DialogByID(ctx context.Context, projectID, id int64) (*store.Dialog, error) {
	dlg := &store.Dialog{}
	err := scanDialog(d.queryRow(ctx, selectDialogByID, projectID, id), dlg)
	if err != nil {
		return nil, wrap("loading dialog", notFound(err, "Dialog", id))
	}
	return dlg, nil
}

// DialogByNumber returns a project's dialog by its number; see store.Dialogs.
func (d *DB) DialogByNumber(ctx context.Context, projectID, number int64) (*store.Dialog, error) {
	dlg := &store.Dialog{}
	err := scanDialog(d.queryRow(ctx, selectDialogByNumber, projectID, number), dlg)
	if err != nil {
		return nil, wrap("loading dialog", notFound(err, "Dialog number", number))
	}
	return dlg, nil
}

// ListDialogs returns a page of a project's dialogs and how many match in
// all (-1 with f.SkipCount); see store.Dialogs. The count and the page are
// read in one transaction, one snapshot, so the total counts the dialogs
// the page is cut from. An offset past the end reads no page.
func (d *DB) ListDialogs(ctx context.Context, projectID int64, f store.DialogFilter) ([]store.Dialog, int, error) {
	f, err := rules.DialogFilter(f)
	if err != nil {
		return nil, 0, err
	}
	if f.Text != "" {
		if err := d.catchUpText(ctx); err != nil {
			return nil, 0, err
		}
	}
	where, args := rules.DialogWhere(projectID, f, func(int) string { return "?" }, d.ts, d.dialect.Text)
	dialogs, total := []store.Dialog{}, -1
	err = d.read(ctx, "listing dialogs", func(t *tx) error {
		if !f.SkipCount {
			if err := t.queryRow(ctx, `SELECT count(*) FROM dialogs WHERE `+where, args...).Scan(&total); err != nil {
				return fmt.Errorf("counting dialogs: %w", err)
			}
			if f.Offset >= total {
				return nil
			}
		}
		rows, err := t.query(ctx, `SELECT `+dialogColumns+` FROM dialogs WHERE `+where+` `+rules.DialogOrder+` LIMIT ? OFFSET ?`,
			append(args, f.Limit, f.Offset)...)
		if err != nil {
			return err
		}
		dialogs, err = collect(rows, scanDialog)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	return dialogs, total, nil
}

// catchUpText brings the full-text index up to date with every stored
// message, for a database that indexes them in batches.
func (d *DB) catchUpText(ctx context.Context) error {
	if len(d.dialect.TextCatchUp) == 0 {
		return nil
	}
	if d.dialect.TextBehind != "" {
		var behind bool
		if err := d.queryRow(ctx, d.dialect.TextBehind).Scan(&behind); err != nil {
			return wrap("checking the search index", err)
		}
		if !behind {
			return nil
		}
	}
	return d.write(ctx, "indexing messages for search", func(t *tx) error {
		for _, stmt := range d.dialect.TextCatchUp {
			if _, err := t.exec(ctx, stmt); err != nil {
				return err
			}
		}
		return nil
	})
}

// SaveDialogState writes a dialog's live state unless the stored StateSeq is
// already as new, leaving its watermark as it is. A zero UpdatedAt is set
// to now; otherwise it is kept, as the workflow's clock decides it.
func (d *DB) SaveDialogState(ctx context.Context, s store.DialogState) error {
	return d.saveTurn(ctx, "saving dialog state", store.Turn{State: &s}, false)
}

// saveState is SaveDialogState in t, for a turn p prepared by
// rules.PrepareTurn with a state. If mark, the state also marks its turn
// (or with p.Through, every turn up to it) stored in the dialog's
// watermark, whether or not the state itself is newer. Where rows are
// locked, the dialog's is locked first (a no-op if saveTurn has locked it),
// so of two concurrent saves the newer state always wins and watermark
// changes take turns; NO KEY UPDATE still lets other rows reference it.
func (t *tx) saveState(ctx context.Context, p *rules.Turn, mark bool) error {
	s := p.State
	var projectID, seq int64
	var uuid string
	var botID sql.NullInt64
	var w rules.Watermark
	var old rules.Row
	err := t.queryRow(ctx, selectState+t.lock("FOR NO KEY UPDATE"), s.DialogID).Scan(&projectID, &uuid, &botID, &seq,
		&w.Through, &w.Ahead, &old.Status, &old.Mode, &old.Pending,
		&old.Handoff.Status, &old.Handoff.Queue, nullTimeScanner{&old.Handoff.RequestedAt}, &old.Handoff.OperatorID)
	if err != nil {
		return notFound(err, "Dialog", s.DialogID)
	}
	next := w
	if mark {
		if next, err = w.Store(ctx, t, s.DialogID, s.StateSeq, p.Through); err != nil {
			return err
		}
	}
	if s.StateSeq <= seq { // a late retry of an older state
		t.know(s.DialogID, dialogRef{projectID: projectID, uuid: uuid, botID: botID.Int64, queue: old.Handoff.ActiveQueue()})
		if next == w {
			return nil
		}
		_, err = t.exec(ctx, updateWatermark, next.Through, next.Ahead, s.DialogID)
		return err
	}
	t.know(s.DialogID, dialogRef{projectID: projectID, uuid: uuid, botID: s.BotID, queue: s.Handoff.ActiveQueue()})
	if s.BotID != botID.Int64 {
		if err := t.moveBot(ctx, projectID, s.DialogID, s.BotID); err != nil {
			return err
		}
	}
	args := append([]any{s.StateSeq, s.Version, s.Status, s.Mode, s.Node,
		p.Variables, s.PendingCount, s.Title, s.WorkingMemory, t.db.tsPtr(s.LastUserAt), t.db.ts(s.UpdatedAt),
		next.Through, next.Ahead, p.Scheduled}, t.db.handoffArgs(s.Handoff)...)
	if _, err = t.exec(ctx, updateState, append(args, s.DialogID)...); err != nil {
		return err
	}
	for _, ev := range rules.StateEvents(old, s) {
		if ev.Type == store.EventHandoffRequested {
			if ev.Data.Position, err = t.queuePosition(ctx, projectID, s.DialogID, s.Handoff); err != nil {
				return err
			}
		}
		t.log(ev)
	}
	return nil
}

// moveBot moves a dialog to another of its project's bots.
func (t *tx) moveBot(ctx context.Context, projectID, dialogID, botID int64) error {
	if err := t.checkBot(ctx, projectID, botID); err != nil {
		return err
	}
	_, err := t.exec(ctx, `UPDATE dialogs SET bot_id = ? WHERE id = ?`, nullID(botID), dialogID)
	return err
}

// queuePosition is where a requested dialog stands in its queue, from 1:
// the dialogs requested before it (or at the same instant with a lower id),
// and itself.
func (t *tx) queuePosition(ctx context.Context, projectID, dialogID int64, h *store.Handoff) (int, error) {
	var n int
	at := t.db.tsPtr(h.RequestedAt)
	err := t.queryRow(ctx, `SELECT count(*) FROM dialogs WHERE project_id = ? AND handoff_status = 'requested'
		AND handoff_queue = ? AND (handoff_requested_at < ? OR (handoff_requested_at = ? AND id <= ?))`,
		projectID, h.Queue, at, at, dialogID).Scan(&n)
	return n, err
}
