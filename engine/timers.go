package engine

import (
	"fmt"
	"time"

	"github.com/parleyhq/parley/flows"
	"github.com/parleyhq/parley/nodes"
	"github.com/parleyhq/parley/store"
)

// deadline is a durable timer of the dialog: when it falls due, what it
// is (for people: "question timeout"), and what to do then.
type deadline struct {
	at   time.Time
	what string
	fire func(t *turn)
}

// nextDeadline returns the earliest durable timer of the dialog and what
// to do when it fires, or a nil func when nothing is due.
func (d *dialog) nextDeadline() (time.Time, func(t *turn)) {
	next := d.nextTimer()
	return next.at, next.fire
}

// nextTimer is the dialog's earliest durable timer; fire is nil when none.
func (d *dialog) nextTimer() deadline {
	var next deadline
	consider := func(when time.Time, what string, f func(t *turn)) {
		if next.fire == nil || when.Before(next.at) {
			next = deadline{at: when, what: what, fire: f}
		}
	}
	auto := d.s.Mode == store.ModeAuto // a question's timers pause while operators answer
	if w := d.s.Waiting; w != nil {
		switch w.Kind {
		case "question":
			q := d.flow.Node(w.Node).Config.(*nodes.Question)
			if w.Reminded < len(q.Remind) && auto {
				consider(w.Since.Add(q.Remind[w.Reminded].After), "reminder", d.remind)
			}
			if q.Timeout > 0 && auto {
				consider(w.Since.Add(q.Timeout), "question timeout", d.questionTimedOut)
			}
		case "handoff":
			h, ok := d.handoffConfig(w.Node)
			if ok && h.Timeout > 0 && w.Operator == "" && h.OnTimeout != "" {
				consider(w.Since.Add(h.Timeout), "handoff timeout", d.handoffTimedOut)
			}
		case "wait":
			consider(w.Until, "wait", d.waitDone)
		case "block":
			consider(w.Until, "block timeout", d.blockTimedOut)
		}
	}
	if m, ok := d.nextScheduled(); ok {
		at := m.At
		consider(at, "scheduled message", func(t *turn) { d.sendScheduledBy(t, at) })
	}
	if w := d.s.Waiting; auto && d.s.Status != store.StatusCreated && waitsForUser(w) {
		consider(d.s.LastActivity.Add(d.settings.InactivityTimeout), "inactivity", d.interrupt)
	}
	return next
}

// waitingInfo is the public view of what the dialog waits for, with its
// next timer.
func (d *dialog) waitingInfo() *WaitingInfo {
	if d.s.Waiting == nil {
		return nil
	}
	w := &WaitingInfo{Node: d.s.Waiting.Node, Kind: d.s.Waiting.Kind, Accept: d.acceptedFiles()}
	if next := d.nextTimer(); next.fire != nil {
		w.Timer = &TimerInfo{At: next.at, What: next.what}
	}
	return w
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
