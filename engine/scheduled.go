package engine

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/parleyhq/parley/store"
)

// maxScheduled bounds the messages waiting to be sent in one dialog: they
// live in the workflow's state.
const maxScheduled = 20

// CancelScheduledInput is the argument of the cancel_scheduled update.
type CancelScheduledInput struct {
	ID string // the scheduled message's id
}

// schedule keeps an operator's message to send at its time (a durable
// timer: nextDeadline considers it); the operator takes the dialog now,
// as one who writes does.
func (d *dialog) schedule(t *turn, in OperatorMessageInput) {
	d.keepScheduled(store.ScheduledMessage{Text: in.Text, At: *in.At,
		OperatorID: in.OperatorID, Operator: in.Operator, Files: in.Files})
}

// scheduleUser keeps a user's message to take at its time, as if the user
// sent it then.
func (d *dialog) scheduleUser(in MessageInput) {
	d.keepScheduled(store.ScheduledMessage{Text: in.Text, At: *in.At, User: true})
}

// keepScheduled adds a message to the scheduled list, in time order.
func (d *dialog) keepScheduled(m store.ScheduledMessage) {
	d.s.ScheduledSeq++
	m.ID = fmt.Sprintf("sch-%d", d.s.ScheduledSeq)
	d.s.Scheduled = append(slices.Clone(d.s.Scheduled), m)
	slices.SortStableFunc(d.s.Scheduled, func(a, b store.ScheduledMessage) int { return a.At.Compare(b.At) })
}

// sendScheduledBy sends, in order, the scheduled messages due by the time
// given (now when the timer fired; the skipped-to time in a test dialog).
func (d *dialog) sendScheduledBy(t *turn, by time.Time) {
	var due, later []store.ScheduledMessage
	for _, m := range d.s.Scheduled {
		if m.At.After(by) {
			later = append(later, m)
		} else {
			due = append(due, m)
		}
	}
	d.s.Scheduled = later
	for _, m := range due {
		if m.User {
			d.userMessage(t, MessageInput{Text: m.Text})
			continue
		}
		d.operatorMessage(t, OperatorMessageInput{Operator: m.Operator, OperatorID: m.OperatorID, Text: m.Text, Files: m.Files})
	}
}

// nextScheduled is when the first scheduled message is due; false when
// none is.
func (d *dialog) nextScheduled() (m store.ScheduledMessage, ok bool) {
	if len(d.s.Scheduled) == 0 {
		return store.ScheduledMessage{}, false
	}
	return d.s.Scheduled[0], true
}

func (d *dialog) validateCancelScheduled(ctx workflow.Context, in CancelScheduledInput) error {
	if err := d.validateLive(ctx); err != nil {
		return err
	}
	if !slices.ContainsFunc(d.s.Scheduled, func(m store.ScheduledMessage) bool { return m.ID == in.ID }) {
		return rejectf(ErrNotFound, "no message %q is scheduled in this dialog (sent already, or cancelled)", in.ID)
	}
	return nil
}

func (d *dialog) onCancelScheduled(ctx workflow.Context, in CancelScheduledInput) (TurnResult, error) {
	return d.locked(ctx, func(t *turn) {
		d.s.Scheduled = slices.DeleteFunc(slices.Clone(d.s.Scheduled), func(m store.ScheduledMessage) bool { return m.ID == in.ID })
	})
}

// validateSchedule checks a message to send later: in the future, and not
// too many waiting.
func (d *dialog) validateSchedule(ctx workflow.Context, text string, at time.Time) error {
	if !at.After(workflow.Now(ctx)) {
		return rejectf(ErrInvalid, "scheduled_at %s has passed; send the message now, or give a later time", at.UTC().Format("2006-01-02T15:04:05Z"))
	}
	if len(d.s.Scheduled) >= maxScheduled {
		return rejectf(ErrConflict, "this dialog has %d messages scheduled already, the most it keeps; cancel one first", maxScheduled)
	}
	if strings.TrimSpace(text) == "" {
		return rejectf(ErrInvalid, "the message text is empty")
	}
	return nil
}
