package engine

import (
	"go.temporal.io/sdk/workflow"

	"github.com/parleyhq/parley/flows"
	"github.com/parleyhq/parley/store"
)

// The dialog's handoff state machine (store.Handoff): none -> requested ->
// active -> released, and requested again on a later handoff. Every
// change replaces State.Handoff with a new value, never edits it in place,
// since turn results already returned share the old one.

// Operator actions of the handoff update.
const (
	HandoffRequest  = "request"  // put the dialog in a queue (the API's handoff)
	HandoffTake     = "take"     // the operator takes it
	HandoffTransfer = "transfer" // to another queue, or to another operator
	HandoffRelease  = "release"  // hand it back to the bot, setting variables first
	HandoffClose    = "close"    // end the dialog as completed
)

// HandoffInput is the argument of the handoff update.
type HandoffInput struct {
	Action   string
	Operator OperatorRef // who acts (take, release, close); the new operator of a transfer to one
	// Queue is the queue of a request or transfer ("" is
	// store.DefaultQueue for a request); for a take, when set, the
	// dialog must be waiting in it (take-next), not taken or back with
	// the bot.
	Queue  string
	Reason string // request
	// Variables are set before a release hands the dialog back; each must
	// fit the type the flow declares for it.
	Variables map[string]any
}

// OperatorRef names an operator: the account's id and display name.
type OperatorRef struct {
	ID   string
	Name string
}

// handoffStatus is the dialog's handoff status.
func (d *dialog) handoffStatus() string { return d.s.Handoff.HandoffStatus() }

// inHandoff reports whether the dialog waits for an operator or has one.
// A dialog an operator mode silenced before the handoff state existed
// (its Handoff is nil) counts as one, so it can be released.
func (d *dialog) inHandoff() bool {
	switch d.handoffStatus() {
	case store.HandoffRequested, store.HandoffActive:
		return true
	case store.HandoffNone:
		return d.s.Mode != store.ModeAuto
	}
	return false
}

// requestHandoff puts the dialog in a queue ("" is the default one), with
// the user's last text, for operators to take.
func (d *dialog) requestHandoff(t *turn, queue, reason string) {
	if queue == "" {
		queue = store.DefaultQueue
	}
	now := workflow.Now(t.ctx)
	d.s.Handoff = &store.Handoff{Status: store.HandoffRequested, Queue: queue, Reason: reason,
		RequestedAt: &now, LastUserText: d.s.Input}
}

// takeHandoff gives the dialog to an operator, from its queue or at once
// (an operator who takes a dialog nobody handed off).
func (d *dialog) takeHandoff(t *turn, op OperatorRef) {
	now := workflow.Now(t.ctx)
	h := store.Handoff{Queue: store.DefaultQueue, RequestedAt: &now, LastUserText: d.s.Input}
	if d.s.Handoff != nil && d.inHandoff() {
		h = *d.s.Handoff
	}
	h.Status, h.OperatorID, h.OperatorName, h.TakenAt, h.ReleasedAt = store.HandoffActive, op.ID, op.Name, &now, nil
	d.s.Handoff = &h
}

// releaseHandoff marks the handoff released (handed back, or given up by
// its timeout); a dialog in no handoff keeps its state.
func (d *dialog) releaseHandoff(t *turn) {
	if d.s.Handoff == nil || !d.inHandoff() {
		return
	}
	now := workflow.Now(t.ctx)
	h := *d.s.Handoff
	h.Status, h.ReleasedAt = store.HandoffReleased, &now
	d.s.Handoff = &h
}

// transferHandoff moves the dialog to another queue, where it waits again
// from now, or to another operator, who has it at once.
func (d *dialog) transferHandoff(t *turn, in HandoffInput) {
	if in.Queue != "" {
		reason := ""
		if d.s.Handoff != nil {
			reason = d.s.Handoff.Reason
		}
		d.requestHandoff(t, in.Queue, reason)
		d.setMode(store.ModeOperator, "")
		return
	}
	d.takeHandoff(t, in.Operator)
	d.setMode(store.ModeOperator, in.Operator.Name)
}

func (d *dialog) validateHandoff(ctx workflow.Context, in HandoffInput) error {
	if err := d.validateLive(ctx); err != nil {
		return err
	}
	switch in.Action {
	case HandoffRequest:
		if d.inHandoff() {
			return rejectf(ErrConflict, "the dialog is already handed off (%s)", d.handoffStatus())
		}
	case HandoffTake:
		h := d.s.Handoff
		if d.handoffStatus() == store.HandoffActive && h.OperatorID != in.Operator.ID {
			return rejectf(ErrConflict, "the dialog is taken by %s", h.OperatorName)
		}
		if in.Queue != "" && (d.handoffStatus() != store.HandoffRequested || h.Queue != in.Queue) {
			return rejectf(ErrConflict, "the dialog no longer waits in queue %s", in.Queue)
		}
	case HandoffTransfer:
		if !d.inHandoff() {
			return rejectf(ErrConflict, "the dialog is not handed off (%s); only a handed-off dialog is transferred", d.handoffStatus())
		}
		if (in.Queue == "") == (in.Operator.ID == "") {
			return rejectf(ErrInvalid, "a transfer names either a queue or an operator")
		}
	case HandoffRelease:
		if !d.inHandoff() {
			return rejectf(ErrConflict, "the dialog is not handed off (%s): there is nothing to release", d.handoffStatus())
		}
		return checkVariables(d.flow, in.Variables)
	case HandoffClose:
	default:
		return rejectf(ErrInvalid, "unknown handoff action %q; use request, take, transfer, release or close", in.Action)
	}
	return nil
}

func (d *dialog) onHandoff(ctx workflow.Context, in HandoffInput) (TurnResult, error) {
	return d.locked(ctx, func(t *turn) {
		switch in.Action {
		case HandoffRequest:
			d.setMode(store.ModeOperator, "")
			d.requestHandoff(t, in.Queue, in.Reason)
		case HandoffTake:
			d.setMode(store.ModeOperator, in.Operator.Name)
			d.takeHandoff(t, in.Operator)
		case HandoffTransfer:
			d.transferHandoff(t, in)
		case HandoffRelease:
			for name, v := range in.Variables {
				d.s.Variables[name] = v
			}
			d.s.Variables = initVariables(d.flow, d.s.Variables) // coerced to their types
			d.handBack(t)
		case HandoffClose:
			d.releaseHandoff(t)
			d.complete()
		}
	})
}

// checkVariables rejects values that do not fit the types flow declares.
func checkVariables(flow *flows.Flow, vars map[string]any) error {
	for name, v := range vars {
		decl := flow.Variable(name)
		if decl == nil || v == nil {
			continue
		}
		if !flows.Fits(decl.Type, v) && !(decl.Type == flows.VarInteger && flows.Fits(flows.VarInteger, coerce(decl.Type, v))) {
			return rejectf(ErrInvalid, "variable %q is declared as %s; %s does not fit", name, decl.Type, flows.FormatValue(v))
		}
	}
	return nil
}
