package worker

import (
	"context"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/store"
)

// Bulk action activities.
const (
	ActivityBulkMatch = "BulkMatch"
	ActivityBulkApply = "BulkApply"
)

// A bulk action acts on its dialogs in batches of bulkBatch, at most
// bulkConcurrency batches at a time: the load it puts on the engine is
// that of a few busy users, whatever it matched, and its history grows by
// a few events a batch rather than a dialog.
const (
	bulkBatch       = 20
	bulkConcurrency = 4
	// maxBulkFailures is how many failures a bulk action lists with their
	// reasons; it counts them all.
	maxBulkFailures = 1000
)

// BulkWorkflow runs a bulk action: it lists the dialogs that match the
// filter once, then applies the action to each, answering the progress
// query meanwhile and after. A worker that dies mid-batch leaves its
// batch to be retried from its last heartbeat, and the dialogs' updates
// carry ids, so no dialog is acted on twice.
func BulkWorkflow(ctx workflow.Context, job dialogs.BulkJob) (dialogs.BulkProgress, error) {
	p := dialogs.BulkProgress{Job: job}
	err := workflow.SetQueryHandler(ctx, dialogs.BulkQueryName, func() (dialogs.BulkProgress, error) { return p, nil })
	if err != nil {
		return p, err
	}
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Minute,
		HeartbeatTimeout:    10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	})
	var ids []string
	if err := workflow.ExecuteActivity(ctx, ActivityBulkMatch, job).Get(ctx, &ids); err != nil {
		return p, err
	}
	p.Matched = len(ids)
	sel := workflow.NewSelector(ctx)
	running := 0
	for start := 0; start < len(ids) || running > 0; {
		for ; running < bulkConcurrency && start < len(ids); start += bulkBatch {
			batch := ids[start:min(start+bulkBatch, len(ids))]
			running++
			sel.AddFuture(workflow.ExecuteActivity(ctx, ActivityBulkApply, job, batch), func(f workflow.Future) {
				running--
				var r bulkResult
				if err := f.Get(ctx, &r); err != nil { // only a cancelled workflow gets here: retries never end
					r = bulkResult{}
					for _, id := range batch {
						r.add(id, err)
					}
				}
				p.Done += r.Done
				p.Failed += r.Failed
				p.Failures = append(p.Failures, r.Failures[:min(len(r.Failures), maxBulkFailures-len(p.Failures))]...)
			})
		}
		sel.Select(ctx)
	}
	now := workflow.Now(ctx)
	p.Finished = &now
	return p, nil
}

// BulkMatch lists the UUIDs of the dialogs a bulk action acts on, in the
// dialog list's order, at most dialogs.MaxBulkDialogs.
func (a *Activities) BulkMatch(ctx context.Context, job dialogs.BulkJob) ([]string, error) {
	f := job.Filter
	f.Limit, f.Offset, f.SkipCount = 1000, 0, true
	var ids []string
	for len(ids) < dialogs.MaxBulkDialogs {
		page, _, err := a.Store.ListDialogs(ctx, job.ProjectID, f)
		if err != nil {
			return nil, err
		}
		for _, d := range page {
			ids = append(ids, d.UUID)
		}
		if len(page) < f.Limit {
			break
		}
		last := page[len(page)-1]
		f.After = &store.DialogCursor{UpdatedAt: last.UpdatedAt, ID: last.ID}
	}
	return ids[:min(len(ids), dialogs.MaxBulkDialogs)], nil
}

// bulkResult is what a batch of a bulk action did.
type bulkResult struct {
	Done, Failed int
	Failures     []dialogs.BulkFailure
}

func (r *bulkResult) add(dialog string, err error) {
	if err == nil {
		r.Done++
		return
	}
	r.Failed++
	r.Failures = append(r.Failures, dialogs.BulkFailure{Dialog: dialog, Reason: engine.RootMessage(err)})
}

// bulkHeartbeat is how far a batch got: what it did to the dialogs before
// Next.
type bulkHeartbeat struct {
	Next   int
	Result bulkResult
}

// BulkApply applies a bulk action to a batch of dialogs, one after
// another, heartbeating after each. A retry starts where the last
// heartbeat says; the dialogs between it and where the dead attempt got are
// applied again under the same update ids, which their workflows answer
// with the first result.
func (a *Activities) BulkApply(ctx context.Context, job dialogs.BulkJob, batch []string) (bulkResult, error) {
	var hb bulkHeartbeat
	if activity.HasHeartbeatDetails(ctx) {
		if err := activity.GetHeartbeatDetails(ctx, &hb); err != nil {
			hb = bulkHeartbeat{}
		}
	}
	// The worker's own client sends the updates, as the API would.
	svc := &dialogs.Service{Store: a.Store, Temporal: activity.GetClient(ctx), Bus: a.Bus, Metrics: a.Metrics}
	for i := hb.Next; i < len(batch); i++ {
		d, err := a.Store.Dialog(ctx, job.ProjectID, batch[i])
		if err == nil {
			err = svc.Apply(ctx, d, job.Action, "bulk-"+job.ID+"-"+batch[i])
		}
		if ctx.Err() != nil { // the attempt is over: the next one goes on from the heartbeat
			return hb.Result, ctx.Err()
		}
		hb.Result.add(batch[i], err)
		hb.Next = i + 1
		activity.RecordHeartbeat(ctx, hb)
	}
	return hb.Result, nil
}
