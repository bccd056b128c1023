package sqldb

import (
	"context"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

// Queues summarizes a project's queues; see store.Queues. The partial
// index on handed-off dialogs serves it.
func (d *DB) Queues(ctx context.Context, projectID int64) ([]store.QueueSummary, error) {
	return list(ctx, d, "summarizing queues", func(r scanner, q *store.QueueSummary) error {
		return r.Scan(&q.Name, &q.Waiting, nullTimeScanner{&q.OldestRequest}, &q.Taken)
	}, `SELECT handoff_queue,
			sum(CASE WHEN handoff_status = 'requested' THEN 1 ELSE 0 END),
			min(CASE WHEN handoff_status = 'requested' THEN handoff_requested_at END),
			sum(CASE WHEN handoff_status = 'active' THEN 1 ELSE 0 END)
		FROM dialogs WHERE project_id = ? AND handoff_status IN ('requested', 'active')
		GROUP BY handoff_queue ORDER BY handoff_queue`, projectID)
}

// QueueDialogs lists a queue's waiting dialogs in order; see store.Queues.
func (d *DB) QueueDialogs(ctx context.Context, projectID int64, queue string, limit int) ([]store.Dialog, error) {
	return list(ctx, d, "listing a queue", scanDialog, `SELECT `+dialogColumns+` FROM dialogs
		WHERE project_id = ? AND handoff_status = 'requested' AND handoff_queue = ?
		ORDER BY handoff_requested_at, id LIMIT ?`, projectID, queue, rules.PageLimit(limit))
}
