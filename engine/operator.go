package engine

import (
	"go.temporal.io/sdk/workflow"

	"github.com/parleyhq/parley/nodes"
	"github.com/parleyhq/parley/store"
)

// handoff hands the dialog to operators: the bot says its text and stays
// silent until an operator hands the dialog back.
func (d *dialog) handoff(t *turn, id string, h *nodes.Handoff) {
	if h.Text != nil {
		d.say(t, store.MessageAssistant, d.render(t, h.Text), nil, id)
	}
	reason := ""
	if h.Reason != nil {
		reason = d.render(t, h.Reason)
	}
	d.setMode(store.ModeOperator, "")
	d.requestHandoff(t, h.Queue, reason)
	d.s.Waiting = &Waiting{Node: id, Kind: "handoff", Since: workflow.Now(t.ctx)}
}

// setMode switches who answers the user; the status follows the mode.
func (d *dialog) setMode(mode, operator string) {
	d.s.Mode = mode
	switch mode {
	case store.ModeOperator, store.ModeManual:
		d.s.Status = store.StatusOperator
	default:
		d.s.Status = store.StatusInProcess
	}
	if w := d.s.Waiting; w != nil && w.Kind == "handoff" && operator != "" {
		w.Operator = operator // taken: the handoff's queue timeout no longer applies
	}
}

// handBack returns the dialog to the bot. After a handoff node it continues
// at the node's next; otherwise it stays where it was (a question keeps
// waiting for its answer).
func (d *dialog) handBack(t *turn) {
	d.setMode(store.ModeAuto, "")
	d.releaseHandoff(t)
	d.s.Pending = 0
	w := d.s.Waiting
	if w == nil || w.Kind != "handoff" {
		return
	}
	d.s.Waiting = nil
	h, ok := d.handoffConfig(w.Node)
	if !ok { // an llm node's handoff tool: the conversation goes on there
		d.s.Waiting = &Waiting{Node: w.Node, Kind: "llm", Since: workflow.Now(t.ctx)}
		return
	}
	if next, ok := d.follow(t, h.Next); ok {
		d.run(t, next)
	}
}

// operatorMessage stores an operator's message. An operator who writes
// into a dialog the bot is running takes it over, so the two never talk
// over each other.
func (d *dialog) operatorMessage(t *turn, in OperatorMessageInput) {
	if d.s.Mode == store.ModeAuto {
		d.setMode(store.ModeOperator, in.Operator)
	}
	if w := d.s.Waiting; w != nil && w.Kind == "handoff" && w.Operator == "" {
		w.Operator = in.Operator
	}
	if d.handoffStatus() != store.HandoffActive { // writing takes the dialog
		d.takeHandoff(t, OperatorRef{ID: in.OperatorID, Name: in.Operator})
	}
	d.record(t, store.Message{Role: store.MessageOperator, Text: in.Text, Operator: in.Operator, Node: d.s.Node, Files: in.Files})
	d.s.Pending = 0
}

// handoffConfig is the config of a handoff node; false for the handoff
// tool of an llm node (or of a bot without nodes).
func (d *dialog) handoffConfig(id string) (*nodes.Handoff, bool) {
	n := d.flow.Node(id)
	if n == nil {
		return nil, false
	}
	h, ok := n.Config.(*nodes.Handoff)
	return h, ok
}

// handoffTimedOut follows on_timeout when no operator took the dialog.
func (d *dialog) handoffTimedOut(t *turn) {
	if _, ok := d.handoffConfig(d.s.Waiting.Node); !ok {
		return // the handoff tool has no queue timeout
	}
	h := d.flow.Node(d.s.Waiting.Node).Config.(*nodes.Handoff)
	d.s.Waiting = nil
	d.setMode(store.ModeAuto, "")
	d.releaseHandoff(t)
	d.run(t, h.OnTimeout)
}

// startWait pauses the dialog until a time.
func (d *dialog) startWait(t *turn, id string, w *nodes.Wait) {
	now := workflow.Now(t.ctx)
	until := now.Add(w.For)
	if w.Until != nil {
		var ok bool
		if until, ok = d.waitUntil(t, w); !ok {
			return
		}
	}
	d.s.Waiting = &Waiting{Node: id, Kind: "wait", Since: now, Until: until}
}

// waitDone continues after a wait node.
func (d *dialog) waitDone(t *turn) {
	w := d.flow.Node(d.s.Waiting.Node).Config.(*nodes.Wait)
	d.s.Waiting = nil
	if next, ok := d.follow(t, w.Next); ok {
		d.run(t, next)
	}
}
