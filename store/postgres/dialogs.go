package postgres

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

const dialogColumns = `id, uuid, project_id, number, external_id, user_id, source, ip, location,
	state_seq, bot_id, version, status, mode, node, variables, pending_count, title, working_memory, last_user_at,
	created_at, updated_at, stored_through`

func scanDialog(r scanner, d *store.Dialog) error {
	var botID *int64
	var vars string
	err := r.Scan(&d.ID, &d.UUID, &d.ProjectID, &d.Number, &d.ExternalID, &d.UserID, &d.Source, &d.IP, &d.Location,
		&d.StateSeq, &botID, &d.Version, &d.Status, &d.Mode, &d.Node, &vars, &d.PendingCount, &d.Title, &d.WorkingMemory,
		&d.LastUserAt, &d.CreatedAt, &d.UpdatedAt, &d.StoredThrough)
	if err != nil {
		return err
	}
	d.DialogID = d.ID
	if botID != nil {
		d.BotID = *botID
	}
	d.Variables, err = rules.Variables(vars)
	return err
}

// nullID stores id 0 as NULL, for a dialog without a bot.
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// CreateDialog stores a new dialog; see store.Store. The number comes from
// a counter on the project row, whose row lock makes concurrent calls in a
// project take turns, so numbers stay gapless. ENOTFOUND if the project does
// not exist or BotID (when set) is not one of its bots.
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
	c.CreatedAt = d.now()
	c.UpdatedAt = c.CreatedAt
	err = d.write(ctx, "creating dialog", func(t *tx) error {
		err := t.queryRow(ctx, `UPDATE projects SET dialog_count = dialog_count + 1 WHERE id = $1 RETURNING dialog_count`,
			c.ProjectID).Scan(&c.Number)
		if err != nil {
			return notFound(err, "Project", c.ProjectID)
		}
		if err := t.checkBot(ctx, c.ProjectID, c.BotID); err != nil {
			return err
		}
		err = t.queryRow(ctx, `INSERT INTO dialogs (uuid, project_id, number, external_id, user_id, source, ip, location,
			state_seq, bot_id, version, status, mode, node, variables, pending_count, title, working_memory, last_user_at,
			created_at, updated_at, stored_through, stored_ahead)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $22) RETURNING id`,
			c.UUID, c.ProjectID, c.Number, c.ExternalID, c.UserID, c.Source, c.IP, c.Location,
			c.StateSeq, nullID(c.BotID), c.Version, c.Status, c.Mode, c.Node, vars, c.PendingCount, c.Title, c.WorkingMemory,
			c.LastUserAt, c.CreatedAt, c.UpdatedAt, c.StoredThrough).Scan(&c.ID)
		if isUnique(err) {
			return rules.ErrDialogUUIDUsed
		}
		return err
	})
	if err != nil {
		return err
	}
	c.DialogID = c.ID
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
	err := t.queryRow(ctx, `SELECT 1 FROM bots WHERE id = $1 AND project_id = $2`, botID, projectID).Scan(&one)
	return notFound(err, "Bot", botID)
}

// Dialog returns a project's dialog by UUID; ENOTFOUND if there is none.
func (d *DB) Dialog(ctx context.Context, projectID int64, uuid string) (*store.Dialog, error) {
	id, ok := rules.LookupUUID(uuid)
	if !ok {
		return nil, rules.NotFound("Dialog", uuid)
	}
	dlg := &store.Dialog{}
	err := scanDialog(d.pool.QueryRow(ctx, `SELECT `+dialogColumns+` FROM dialogs WHERE project_id = $1 AND uuid = $2`, projectID, id), dlg)
	if err != nil {
		return nil, wrap("loading dialog", notFound(err, "Dialog", uuid))
	}
	return dlg, nil
}

// DialogByID returns a project's dialog by integer id; ENOTFOUND if none.
func (d *DB) DialogByID(ctx context.Context, projectID, id int64) (*store.Dialog, error) {
	dlg := &store.Dialog{}
	err := scanDialog(d.pool.QueryRow(ctx, `SELECT `+dialogColumns+` FROM dialogs WHERE project_id = $1 AND id = $2`, projectID, id), dlg)
	if err != nil {
		return nil, wrap("loading dialog", notFound(err, "Dialog", id))
	}
	return dlg, nil
}

// ListDialogs returns a page of a project's dialogs and how many match in
// all; see store.Store. The count and the page are read in one read-only
// REPEATABLE READ transaction, one snapshot, so the total counts the
// dialogs the page is cut from. An offset past the end reads no page.
func (d *DB) ListDialogs(ctx context.Context, projectID int64, f store.DialogFilter) ([]store.Dialog, int, error) {
	f, err := rules.DialogFilter(f)
	if err != nil {
		return nil, 0, err
	}
	where, args := rules.DialogWhere(projectID, f, func(n int) string { return "$" + strconv.Itoa(n) },
		func(t time.Time) any { return t })
	t, err := d.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, 0, fmt.Errorf("listing dialogs: %w", err)
	}
	defer t.Rollback(ctx) // it only reads
	var total int
	if err := t.QueryRow(ctx, `SELECT count(*) FROM dialogs WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("counting dialogs: %w", err)
	}
	if f.Offset >= total {
		return []store.Dialog{}, total, nil
	}
	n := len(args)
	rows, err := t.Query(ctx, fmt.Sprintf(`SELECT %s FROM dialogs WHERE %s %s LIMIT $%d OFFSET $%d`,
		dialogColumns, where, rules.DialogOrder, n+1, n+2), append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("listing dialogs: %w", err)
	}
	dialogs, err := collect(rows, scanDialog)
	if err != nil {
		return nil, 0, fmt.Errorf("listing dialogs: %w", err)
	}
	return dialogs, total, nil
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
// watermark, whether or not the state itself is newer. The row is locked
// first (a no-op if saveTurn has locked it), so of two concurrent saves the
// newer state always wins and watermark changes take turns; NO KEY UPDATE
// still lets other rows reference it.
func (t *tx) saveState(ctx context.Context, p *rules.Turn, mark bool) error {
	s := p.State
	var projectID, seq int64
	var w rules.Watermark
	err := t.queryRow(ctx, `SELECT project_id, state_seq, stored_through, stored_ahead FROM dialogs WHERE id = $1 FOR NO KEY UPDATE`,
		s.DialogID).Scan(&projectID, &seq, &w.Through, &w.Ahead)
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
		if next == w {
			return nil
		}
		_, err = t.exec(ctx, `UPDATE dialogs SET stored_through = $1, stored_ahead = $2 WHERE id = $3`,
			next.Through, next.Ahead, s.DialogID)
		return err
	}
	if err := t.checkBot(ctx, projectID, s.BotID); err != nil {
		return err
	}
	_, err = t.exec(ctx, `UPDATE dialogs SET state_seq = $1, bot_id = $2, version = $3, status = $4, mode = $5, node = $6,
		variables = $7, pending_count = $8, title = $9, working_memory = $10, last_user_at = $11, updated_at = $12,
		stored_through = $13, stored_ahead = $14 WHERE id = $15`,
		s.StateSeq, nullID(s.BotID), s.Version, s.Status, s.Mode, s.Node,
		p.Variables, s.PendingCount, s.Title, s.WorkingMemory, s.LastUserAt, s.UpdatedAt, next.Through, next.Ahead, s.DialogID)
	return err
}
