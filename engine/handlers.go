package engine

import (
	"slices"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/parleyhq/parley/nodes"
	"github.com/parleyhq/parley/store"
)

// registerHandlers sets the updates and the query. Validators reject what
// the dialog's state forbids before anything is written to history.
func (d *dialog) registerHandlers() error {
	handlers := []struct {
		name      string
		handler   any
		validator any
	}{
		{UpdateMessage, d.onMessage, d.validateMessage},
		{UpdateStart, d.onStart, d.validateLive},
		{UpdateStop, d.onStop, d.validateLive},
		{UpdateMode, d.onMode, d.validateMode},
		{UpdateOperatorMessage, d.onOperatorMessage, d.validateOperatorMessage},
		{UpdateCommand, d.onCommand, d.validateCommand},
		{UpdateBlockMessage, d.onBlockMessage, d.validateBlockMessage},
		{UpdateBlockComplete, d.onBlockComplete, d.validateBlockComplete},
		{UpdateApproval, d.onApproval, d.validateApproval},
		{UpdateHandoff, d.onHandoff, d.validateHandoff},
		{UpdateCancelScheduled, d.onCancelScheduled, d.validateCancelScheduled},
		{UpdateSkipTimer, d.onSkipTimer, d.validateSkipTimer},
	}
	for _, h := range handlers {
		opts := workflow.UpdateHandlerOptions{Validator: h.validator}
		if err := workflow.SetUpdateHandlerWithOptions(d.ctx, h.name, h.handler, opts); err != nil {
			return err
		}
	}
	return workflow.SetQueryHandler(d.ctx, QueryState, func() (Snapshot, error) {
		return Snapshot{State: d.dialogState(), Bot: d.s.Flow.Slug, Waiting: d.waitingInfo(), Settled: !d.s.dirty() && d.s.TitleWanted == nil}, nil
	})
}

// locked runs a handler under the dialog's mutex, so a turn that waits for
// an activity (goto bot) is never interleaved with another.
func (d *dialog) locked(ctx workflow.Context, fn func(t *turn)) (TurnResult, error) {
	if err := d.lock.Lock(ctx); err != nil {
		return TurnResult{}, err
	}
	defer d.lock.Unlock()
	d.busy = true
	defer func() { d.busy = false }()
	d.updates++
	if Terminal(d.s.Status) { // ended while this update waited for the lock
		return TurnResult{}, rejectf(ErrConflict, "the dialog is %s", d.s.Status)
	}
	return d.withTurn(ctx, fn), nil
}

func (d *dialog) validateLive(workflow.Context) error {
	if Terminal(d.s.Status) {
		return rejectf(ErrConflict, "the dialog is %s", d.s.Status)
	}
	return nil
}

func (d *dialog) validateMessage(ctx workflow.Context, in MessageInput) error {
	if err := d.validateLive(ctx); err != nil {
		return err
	}
	if d.s.Status == store.StatusCreated {
		return rejectf(ErrConflict, "the dialog has not started yet; start it first")
	}
	if strings.TrimSpace(in.Text) == "" && in.File == nil {
		return rejectf(ErrInvalid, "the message text is empty")
	}
	if d.rejectsWhileBusy(in) && d.s.recent(in.ClientMessageID) == nil {
		return rejectf(ErrConflict, "the bot is still answering the previous message; send this one once it has answered (the bot's settings.concurrency is reject)")
	}
	if in.At != nil {
		return d.validateSchedule(ctx, in.Text, *in.At)
	}
	if in.File == nil {
		return nil
	}
	if accept := d.acceptedFiles(); !Accepts(accept, in.File.MIMEType) {
		return rejectf(ErrUnsupported, "this question accepts %s; the file is %s", strings.Join(accept, ", "), in.File.MIMEType)
	}
	return nil
}

// acceptedFiles is the `accept` list of the file question the bot waits
// at, or nil (any type) when it waits for something else or an operator
// has the dialog.
func (d *dialog) acceptedFiles() []string {
	w := d.s.Waiting
	if w == nil || w.Kind != "question" || d.s.Mode != store.ModeAuto {
		return nil
	}
	if n := d.flow.Node(w.Node); n != nil {
		if q, ok := n.Config.(*nodes.Question); ok && q.Input.Type == nodes.InputFile {
			return q.Input.Accept
		}
	}
	return nil
}

func (d *dialog) onMessage(ctx workflow.Context, in MessageInput) (TurnResult, error) {
	if r := d.s.recent(in.ClientMessageID); r != nil {
		return *r, nil
	}
	d.stored(in.StoredThrough)
	var r TurnResult
	var err error
	if d.debounces(in) {
		r, err = d.debounced(ctx, in)
	} else {
		r, err = d.locked(ctx, func(t *turn) {
			if in.At != nil {
				d.scheduleUser(in)
				return
			}
			d.userMessage(t, in)
		})
	}
	if err == nil {
		d.s.remember(in.ClientMessageID, r)
	}
	return r, err
}

func (d *dialog) onStart(ctx workflow.Context) (TurnResult, error) {
	return d.locked(ctx, func(t *turn) {
		if d.s.Status == store.StatusCreated {
			d.start(t)
			return
		}
		if d.s.Mode != store.ModeAuto {
			d.handBack(t)
		}
	})
}

// onStop silences the bot: the dialog waits for an operator in the
// default queue (unless it already waits for one or has one).
func (d *dialog) onStop(ctx workflow.Context) (TurnResult, error) {
	return d.locked(ctx, func(t *turn) {
		d.setMode(store.ModeOperator, "")
		if !d.inHandoff() {
			d.requestHandoff(t, "", "")
		}
	})
}

var modes = []string{store.ModeAuto, store.ModeManual, store.ModeOperator, store.ModeBlocked}

func (d *dialog) validateMode(ctx workflow.Context, in ModeInput) error {
	if err := d.validateLive(ctx); err != nil {
		return err
	}
	for _, m := range modes {
		if in.Mode == m {
			return nil
		}
	}
	return rejectf(ErrInvalid, "mode must be one of auto, manual, operator, blocked; got %q", in.Mode)
}

func (d *dialog) onMode(ctx workflow.Context, in ModeInput) (TurnResult, error) {
	return d.locked(ctx, func(t *turn) {
		if in.Mode == store.ModeAuto && d.s.Mode != store.ModeAuto {
			d.handBack(t)
			return
		}
		d.setMode(in.Mode, in.Operator)
		switch {
		case in.Mode != store.ModeOperator:
		case in.Operator != "" || in.OperatorID != "": // an operator takes the dialog over
			d.takeHandoff(t, OperatorRef{ID: in.OperatorID, Name: in.Operator})
		case !d.inHandoff():
			d.requestHandoff(t, "", "")
		}
	})
}

func (d *dialog) validateOperatorMessage(ctx workflow.Context, in OperatorMessageInput) error {
	if d.s.recent(in.recentKey()) != nil {
		return nil // a retry: answered from what the first one did
	}
	if err := d.validateLive(ctx); err != nil {
		return err
	}
	if in.At != nil {
		return d.validateSchedule(ctx, in.Text, *in.At)
	}
	if strings.TrimSpace(in.Text) == "" {
		return rejectf(ErrInvalid, "the operator message text is empty")
	}
	return nil
}

func (d *dialog) onOperatorMessage(ctx workflow.Context, in OperatorMessageInput) (TurnResult, error) {
	if r := d.s.recent(in.recentKey()); r != nil {
		return *r, nil
	}
	r, err := d.locked(ctx, func(t *turn) {
		if in.At != nil {
			d.schedule(t, in)
			return
		}
		d.operatorMessage(t, in)
	})
	if err == nil {
		d.s.remember(in.recentKey(), r)
	}
	return r, err
}

func (d *dialog) validateCommand(ctx workflow.Context, in CommandInput) error {
	if err := d.validateLive(ctx); err != nil {
		return err
	}
	if in.Node != "" {
		return d.validateGotoNode(in.Node)
	}
	if _, ok := gotoTarget(in.Command); !ok && in.Command != CommandInterrupt {
		return rejectf(ErrInvalid, "unknown command %q; the commands are \"goto <bot>\" and \"interrupt\"", in.Command)
	}
	return nil
}

// validateGotoNode accepts a move to a node of the flow of a dialog the bot
// runs: an operator's dialog is released first, a created one started.
func (d *dialog) validateGotoNode(node string) error {
	switch {
	case d.flow.Node(node) == nil:
		return rejectf(ErrInvalid, "the flow of %q has no node %q", d.s.Flow.Slug, node)
	case d.inHandoff():
		return rejectf(ErrConflict, "the dialog is handed off (%s); release it to send it to a node", d.handoffStatus())
	case d.s.Status == store.StatusCreated:
		return rejectf(ErrConflict, "the dialog has not started; start it first")
	}
	return nil
}

func (d *dialog) onCommand(ctx workflow.Context, in CommandInput) (TurnResult, error) {
	if in.Node != "" {
		return d.locked(ctx, func(t *turn) {
			d.s.Waiting, d.s.ResumeNode = nil, ""
			d.run(t, in.Node)
		})
	}
	if in.Command == CommandInterrupt {
		return d.locked(ctx, func(t *turn) {
			d.releaseHandoff(t)
			d.interrupt(t)
		})
	}
	slug, _ := gotoTarget(in.Command)
	ref, err := d.fetchFlow(ctx, slug)
	if err != nil {
		return TurnResult{}, err
	}
	return d.locked(ctx, func(t *turn) {
		if !d.transfer(t, ref) {
			return
		}
		if d.s.Status != store.StatusCreated {
			d.setMode(store.ModeAuto, "")
			d.run(t, d.flow.Start)
		}
	})
}

// gotoTarget parses "goto <slug>".
func gotoTarget(cmd string) (string, bool) {
	fields := strings.Fields(cmd)
	if len(fields) != 2 || fields[0] != "goto" {
		return "", false
	}
	return fields[1], true
}

// validateBlock accepts calls from the service of the block attempt the
// dialog is waiting for, and nothing else: a finished block, a finished
// dialog, another attempt or a dialog moved to another bot is refused.
func (d *dialog) validateBlock(ctx workflow.Context, node string, attempt int, kinds ...string) error {
	if err := d.validateLive(ctx); err != nil {
		return err
	}
	w := d.s.Waiting
	if w == nil || w.Node != node || w.Attempt != attempt || !slices.Contains(kinds, w.Kind) {
		return rejectf(ErrConflict, "block %q attempt %d is not running", node, attempt)
	}
	return nil
}

func (d *dialog) validateBlockMessage(ctx workflow.Context, in BlockMessageInput) error {
	if d.s.recent(in.recentKey()) != nil {
		return nil // a retry: answered from what the first one did
	}
	if strings.TrimSpace(in.Text) == "" {
		return rejectf(ErrInvalid, "the message text is empty")
	}
	return d.validateBlock(ctx, in.Node, in.Attempt, "block", "call")
}

// onBlockMessage adds the service's message. It takes no lock: a service
// called with wait: false may send messages while its call holds the turn.
func (d *dialog) onBlockMessage(ctx workflow.Context, in BlockMessageInput) (TurnResult, error) {
	if r := d.s.recent(in.recentKey()); r != nil {
		return *r, nil
	}
	d.updates++
	r := d.withTurn(ctx, func(t *turn) { d.say(t, store.MessageAssistant, in.Text, nil, in.Node) })
	d.s.remember(in.recentKey(), r)
	return r, nil
}

func (d *dialog) validateBlockComplete(ctx workflow.Context, in BlockCompleteInput) error {
	return d.validateBlock(ctx, in.Node, in.Attempt, "block")
}

func (d *dialog) onBlockComplete(ctx workflow.Context, in BlockCompleteInput) (TurnResult, error) {
	return d.locked(ctx, func(t *turn) {
		w := d.s.Waiting
		if w == nil || w.Node != in.Node || w.Attempt != in.Attempt {
			return // completed by another call while this one waited for the lock
		}
		if w.Tool != nil {
			d.blockToolDone(t, w, blockToolCompleted(in.Data))
			return
		}
		b := d.flow.Node(w.Node).Config.(*nodes.Block)
		d.s.Waiting = nil
		d.blockDone(t, w.Node, b, in.Data)
		if next, ok := d.follow(t, b.Next); ok {
			d.run(t, next)
		}
	})
}
