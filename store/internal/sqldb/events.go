package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

const (
	eventColumns = `project_id, seq, type, dialog_id, dialog_uuid, bot_id, queue, data, created_at`
	insertEvent  = `INSERT INTO events (` + eventColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
	bumpEventSeq = `UPDATE projects SET event_seq = event_seq + ? WHERE id = ? RETURNING event_seq`
	// selectEventSeq reads a project's last event seq where the writers
	// take turns: the log's greatest, or the counter TrimEvents leaves
	// when it empties the log.
	selectEventSeq = `SELECT p.event_seq, coalesce((SELECT max(seq) FROM events WHERE project_id = p.id), 0)
		FROM projects p WHERE p.id = ?`
)

// dialogRef is what an event names of its dialog, known to a transaction
// that read or wrote the dialog's row.
type dialogRef struct {
	projectID int64
	uuid      string
	botID     int64
	queue     string
}

// log queues ev to be written with the transaction (see flushEvents). An
// event without a ProjectID gets its dialog's project, UUID, bot and queue
// there.
func (t *tx) log(ev store.Event) { t.logged = append(t.logged, ev) }

// know records what the transaction knows of a dialog's row, so its events
// need not read it again.
func (t *tx) know(dialogID int64, ref dialogRef) {
	if t.refs == nil {
		t.refs = map[int64]dialogRef{}
	}
	t.refs[dialogID] = ref
}

// ref returns what an event names of a dialog, reading its row if the
// transaction has not; the row as this transaction wrote it.
func (t *tx) ref(ctx context.Context, dialogID int64) (dialogRef, error) {
	if r, ok := t.refs[dialogID]; ok {
		return r, nil
	}
	var r dialogRef
	var botID sql.NullInt64
	var h store.Handoff
	err := t.queryRow(ctx, `SELECT project_id, uuid, bot_id, handoff_status, handoff_queue FROM dialogs WHERE id = ?`,
		dialogID).Scan(&r.projectID, &r.uuid, &botID, &h.Status, &h.Queue)
	if err != nil {
		return r, notFound(err, "Dialog", dialogID)
	}
	r.botID, r.queue = botID.Int64, h.ActiveQueue()
	t.know(dialogID, r)
	return r, nil
}

// flushEvents writes the events the transaction logged, numbering each
// project's after its last (lastEventSeq), so a project's events are
// numbered in the order their transactions commit: a reader who saw seq n
// never finds a lower one committed later. It runs last in the
// transaction, to hold the project's counter as briefly as it can.
func (t *tx) flushEvents(ctx context.Context) error {
	if len(t.logged) == 0 {
		return nil
	}
	now := t.db.now()
	var projects []int64
	counts := map[int64]int64{}
	for i := range t.logged {
		ev := &t.logged[i]
		if ev.ProjectID == 0 && ev.DialogID != 0 {
			r, err := t.ref(ctx, ev.DialogID)
			if err != nil {
				return err
			}
			ev.ProjectID, ev.DialogUUID, ev.BotID, ev.Queue = r.projectID, r.uuid, r.botID, r.queue
		}
		ev.CreatedAt = now
		if counts[ev.ProjectID] == 0 {
			projects = append(projects, ev.ProjectID)
		}
		counts[ev.ProjectID]++
	}
	next := map[int64]int64{}
	for _, p := range projects {
		last, err := t.lastEventSeq(ctx, p, counts[p])
		if err != nil {
			return notFound(err, "Project", p)
		}
		next[p] = last - counts[p] + 1
	}
	// One prepared insert per event: on SQLite, parsing a many-row insert
	// anew each time costs more than running a prepared one several times.
	for i := range t.logged {
		ev := &t.logged[i]
		ev.Seq = next[ev.ProjectID]
		next[ev.ProjectID]++
		data, err := json.Marshal(ev.Data)
		if err != nil {
			return fmt.Errorf("encoding a %s event: %w", ev.Type, err)
		}
		_, err = t.exec(ctx, insertEvent, ev.ProjectID, ev.Seq, ev.Type, nullID(ev.DialogID), ev.DialogUUID, nullID(ev.BotID),
			ev.Queue, string(data), t.db.ts(ev.CreatedAt))
		if err != nil {
			return err
		}
	}
	return nil
}

// lastEventSeq takes n seqs of a project's events and returns the last of
// them. Where write transactions run side by side (PostgreSQL) it raises
// the counter on the project's row, whose lock then orders the project's
// writers until they commit. Where they run one at a time (SQLite) it
// reads the greatest seq instead: updating the project's row is most of
// the cost of logging a turn's events there (its statement journal).
func (t *tx) lastEventSeq(ctx context.Context, projectID, n int64) (int64, error) {
	var last int64
	if t.db.dialect.RowLocks {
		err := t.queryRow(ctx, bumpEventSeq, n, projectID).Scan(&last)
		return last, err
	}
	var counter, logged int64
	err := t.queryRow(ctx, selectEventSeq, projectID).Scan(&counter, &logged)
	return max(counter, logged) + n, err
}

// announce hands committed events to the functions registered with
// OnEvents.
func (d *DB) announce(ctx context.Context, evs []store.Event) {
	if len(evs) == 0 {
		return
	}
	d.hooksMu.RLock()
	hooks := d.hooks
	d.hooksMu.RUnlock()
	for _, fn := range hooks {
		fn(ctx, evs)
	}
}

// OnEvents registers fn; see store.EventLog.
func (d *DB) OnEvents(fn func(ctx context.Context, evs []store.Event)) {
	d.hooksMu.Lock()
	defer d.hooksMu.Unlock()
	d.hooks = append(d.hooks, fn)
}

// Events lists a project's logged events; see store.EventLog.
func (d *DB) Events(ctx context.Context, projectID int64, f store.EventFilter) ([]store.Event, error) {
	where, args := []string{"project_id = ?", "seq > ?"}, []any{projectID, f.After}
	if len(f.Types) > 0 {
		where = append(where, "type IN ("+marks(len(f.Types))+")")
		for _, typ := range f.Types {
			args = append(args, typ)
		}
	}
	if f.DialogID != 0 {
		where, args = append(where, "dialog_id = ?"), append(args, f.DialogID)
	}
	if f.BotID != 0 {
		where, args = append(where, "bot_id = ?"), append(args, f.BotID)
	}
	if f.Queue != "" {
		where, args = append(where, "queue = ?"), append(args, f.Queue)
	}
	args = append(args, rules.PageLimit(f.Limit))
	return list(ctx, d, "listing events", scanEvent, `SELECT `+eventColumns+` FROM events WHERE `+
		strings.Join(where, " AND ")+` ORDER BY seq LIMIT ?`, args...)
}

func scanEvent(r scanner, ev *store.Event) error {
	var dialogID, botID sql.NullInt64
	var data string
	err := r.Scan(&ev.ProjectID, &ev.Seq, &ev.Type, &dialogID, &ev.DialogUUID, &botID, &ev.Queue, &data,
		timeScanner{&ev.CreatedAt})
	if err != nil {
		return err
	}
	ev.DialogID, ev.BotID = dialogID.Int64, botID.Int64
	if err := json.Unmarshal([]byte(data), &ev.Data); err != nil {
		return fmt.Errorf("decoding event %d: %w", ev.Seq, err)
	}
	return nil
}

// FirstEventSeq returns where a project's log starts; see store.EventLog.
func (d *DB) FirstEventSeq(ctx context.Context, projectID int64) (int64, error) {
	var first sql.NullInt64
	var last int64 // the log is empty: never written, or trimmed, which kept its last seq
	err := d.queryRow(ctx, `SELECT (SELECT min(seq) FROM events WHERE project_id = ?), event_seq FROM projects WHERE id = ?`,
		projectID, projectID).Scan(&first, &last)
	if err != nil {
		return 0, wrap("reading where the event log starts", notFound(err, "Project", projectID))
	}
	if first.Valid {
		return first.Int64, nil
	}
	return last + 1, nil
}

// LogEvents appends events of no dialog change; see store.EventLog.
func (d *DB) LogEvents(ctx context.Context, evs []store.Event) error {
	var w *tx
	err := d.write(ctx, "logging events", func(t *tx) error {
		w = t
		for _, ev := range evs {
			if ev.ProjectID == 0 {
				return rules.NotFound("Project", 0)
			}
			t.log(ev)
		}
		return nil
	})
	if err == nil {
		copy(evs, w.logged) // with their Seq and CreatedAt
	}
	return err
}

// TrimEvents deletes events created before a time; see store.EventLog.
func (d *DB) TrimEvents(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := d.write(ctx, "trimming events", func(t *tx) error {
		// The counters keep the greatest seq first, so numbering goes on
		// from it when the log is emptied (see lastEventSeq).
		_, err := t.exec(ctx, `UPDATE projects SET event_seq = (SELECT max(seq) FROM events WHERE events.project_id = projects.id)
			WHERE EXISTS (SELECT 1 FROM events WHERE events.project_id = projects.id AND events.seq > projects.event_seq)`)
		if err != nil {
			return err
		}
		res, err := t.exec(ctx, `DELETE FROM events WHERE created_at < ?`, t.db.ts(before))
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	return n, err
}
