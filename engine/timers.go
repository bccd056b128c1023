package engine

import (
	"fmt"
	"time"

	"github.com/parleyhq/parley/flows"
	"github.com/parleyhq/parley/nodes"
	"github.com/parleyhq/parley/store"
)

// nextDeadline returns the earliest durable timer of the dialog and what
// to do when it fires, or a nil func when nothing is due.
func (d *dialog) nextDeadline() (time.Time, func(t *turn)) {
	var at time.Time
	var fire func(t *turn)
	consider := func(when time.Time, f func(t *turn)) {
		if fire == nil || when.Before(at) {
			at, fire = when, f
		}
	}
	auto := d.s.Mode == store.ModeAuto // a question's timers pause while operators answer
	if w := d.s.Waiting; w != nil {
		switch w.Kind {
		case "question":
			q := d.flow.Node(w.Node).Config.(*nodes.Question)
			if w.Reminded < len(q.Remind) && auto {
				consider(w.Since.Add(q.Remind[w.Reminded].After), d.remind)
			}
			if q.Timeout > 0 && auto {
				consider(w.Since.Add(q.Timeout), d.questionTimedOut)
			}
		case "handoff":
			h, ok := d.handoffConfig(w.Node)
			if ok && h.Timeout > 0 && w.Operator == "" && h.OnTimeout != "" {
				consider(w.Since.Add(h.Timeout), d.handoffTimedOut)
			}
		case "wait":
			consider(w.Until, d.waitDone)
		case "block":
			consider(w.Until, d.blockTimedOut)
		}
	}
	if m, ok := d.nextScheduled(); ok {
		consider(m.At, d.sendScheduled)
	}
	if w := d.s.Waiting; auto && d.s.Status != store.StatusCreated && waitsForUser(w) {
		consider(d.s.LastActivity.Add(d.settings.InactivityTimeout), d.interrupt)
	}
	return at, fire
}

// waitsForUser reports whether the dialog waits for the user, so that the
// user's silence interrupts it.
func waitsForUser(w *Waiting) bool {
	return w == nil || w.Kind == "question" || w.Kind == "llm" || (w.Kind == "approval" && w.Approval.By == "user")
}

// interrupt ends a dialog whose user went silent.
func (d *dialog) interrupt(t *turn) {
	d.s.Status = store.StatusInterrupted
	d.s.Waiting = nil
}

// waitUntil evaluates a wait node's `until`: a time or an RFC 3339 string.
func (d *dialog) waitUntil(t *turn, w *nodes.Wait) (time.Time, bool) {
	v, err := w.Until.Eval(d.scope(t))
	if err == nil {
		switch v := v.(type) {
		case time.Time:
			return v, true
		case string:
			if tm, perr := time.Parse(time.RFC3339, v); perr == nil {
				return tm, true
			}
			err = fmt.Errorf("%q is not an RFC 3339 time", v)
		default:
			err = fmt.Errorf("got %s, want a time", flows.FormatValue(v))
		}
	}
	d.fail(t, fmt.Sprintf("The bot stopped at node %q: `until` %v.", d.s.Node, err))
	return time.Time{}, false
}
