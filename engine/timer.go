package engine

import (
	"time"

	"go.temporal.io/sdk/workflow"
)

// timer is the dialog's one durable timer, set for its earliest deadline.
// It is replaced only when a deadline comes earlier than the one it waits
// for; a timer that fires for a deadline that has since moved later simply
// leads to a new one. Most turns therefore add no timer commands at all.
type timer struct {
	at     time.Time
	cancel workflow.CancelFunc // nil when no timer runs
	seq    int
	fired  bool
}

// arm makes sure a timer fires no later than at (zero: nothing to wait for).
func (t *timer) arm(ctx workflow.Context, at time.Time) {
	if at.IsZero() || (t.cancel != nil && !at.Before(t.at)) {
		return
	}
	if t.cancel != nil {
		t.cancel()
	}
	tctx, cancel := workflow.WithCancel(ctx)
	t.seq++
	seq := t.seq
	t.at, t.cancel = at, cancel
	f := workflow.NewTimer(tctx, max(at.Sub(workflow.Now(ctx)), time.Millisecond))
	workflow.Go(ctx, func(ctx workflow.Context) {
		if f.Get(ctx, nil) == nil && seq == t.seq {
			t.fired, t.cancel = true, nil
		}
	})
}
