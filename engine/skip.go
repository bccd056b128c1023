package engine

import (
	"go.temporal.io/sdk/workflow"
)

// UpdateSkipTimer fires a test dialog's next durable timer now, as if its
// time had come: how an author sees a question's timeout or a wait's end
// without waiting for it.
const UpdateSkipTimer = "skip_timer"

// SourceTest marks a dialog an author runs from the editor. Only such
// dialogs may skip their timers: in a real dialog time is the user's.
const SourceTest = "test"

func (d *dialog) validateSkipTimer(ctx workflow.Context) error {
	if err := d.validateLive(ctx); err != nil {
		return err
	}
	if d.p.Source != SourceTest {
		return rejectf(ErrConflict, "only test dialogs may skip their timers; this one's time is its user's")
	}
	if d.nextTimer().fire == nil {
		return rejectf(ErrConflict, "the dialog waits on no timer")
	}
	return nil
}

// onSkipTimer runs exactly what the timer would run when it fired (which
// one the turn before said: WaitingInfo.Timer). Times recorded by that
// turn are the real now, not the skipped-to time, so a question's next
// reminder still counts from when it was asked.
func (d *dialog) onSkipTimer(ctx workflow.Context) (TurnResult, error) {
	return d.locked(ctx, func(t *turn) {
		if next := d.nextTimer(); next.fire != nil { // nil: it fired while this update waited for the lock
			next.fire(t)
		}
	})
}
