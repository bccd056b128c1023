package engine

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/parleyhq/parley/flows"
	"github.com/parleyhq/parley/store"
)

const (
	defaultStepLimit  = 100
	defaultInactivity = 24 * time.Hour
	// DefaultPersistDelay is Settings.PersistDelay when unset.
	DefaultPersistDelay = 30 * time.Second
	// defaultUpdatesPerRun keeps a run short. Temporal keeps every
	// completed update of a run in the workflow's mutable state, which it
	// writes (and sorts the updates of) with every update, so a turn costs
	// more the more turns its run has had: in make bench, 1,000 turns of
	// one dialog had a p50 of 7.6 ms in runs of 1,000 and 6.2 ms in runs
	// of 100. Continuing as new costs one turn in a hundred a new run's
	// start; the dialog's state, its recent client message ids included,
	// carries over.
	defaultUpdatesPerRun = 100
)

// dialog is a running dialog workflow: its parameters, state and flow.
type dialog struct {
	ctx      workflow.Context
	p        Params
	s        *State
	flow     *flows.Flow
	changes  int // bumped on every change; wakes the main loop
	updates  int // updates handled in this run
	lock     workflow.Mutex
	settings Settings
	timer    timer
	// flushAt is when what the dialog produced must be stored by the
	// workflow itself (callers of updates store it at once); zero when
	// nothing waits. flushNow asks the persist loop to store now.
	flushAt  time.Time
	flushNow bool
	closing  bool   // ending or continuing as new: store everything at once
	busy     bool   // a turn runs (holds lock)
	batch    *batch // the messages a debouncing bot gathers for its next turn
}

// DialogWorkflow runs one dialog from its first message to its end.
func DialogWorkflow(ctx workflow.Context, p Params) error {
	d := &dialog{ctx: ctx, p: p, lock: workflow.NewMutex(ctx), settings: withDefaults(p.Settings)}
	if err := d.init(); err != nil {
		return err
	}
	if err := d.registerHandlers(); err != nil {
		return err
	}
	workflow.Go(ctx, d.persistLoop)
	workflow.Go(ctx, d.blockLoop)
	workflow.Go(ctx, d.titleLoop)
	if p.Resume == nil && p.Start {
		d.withTurn(ctx, func(t *turn) { d.start(t) })
	}
	return d.mainLoop()
}

func withDefaults(s Settings) Settings {
	if s.StepLimit <= 0 {
		s.StepLimit = defaultStepLimit
	}
	if s.InactivityTimeout <= 0 {
		s.InactivityTimeout = defaultInactivity
	}
	if s.PersistDelay <= 0 {
		s.PersistDelay = DefaultPersistDelay
	}
	if s.UpdatesPerRun <= 0 {
		s.UpdatesPerRun = defaultUpdatesPerRun
	}
	return s
}

// init restores the state after continue-as-new, or creates it.
func (d *dialog) init() error {
	now := workflow.Now(d.ctx)
	if d.p.Resume != nil {
		d.s = d.p.Resume
		d.p.Resume = nil
		d.flushNow = d.s.dirty() // store at once what the previous run left
	} else {
		// The caller stored the created dialog, so state 1 is already persisted.
		d.s = &State{Flow: d.p.Flow, Status: store.StatusCreated, Mode: store.ModeAuto, Variables: d.p.Variables, StartedAt: now, LastActivity: now, StateSeq: 1, Persisted: 1}
	}
	flow, err := LoadFlow(d.s.Flow)
	if err != nil {
		return temporal.NewNonRetryableApplicationError(err.Error(), ErrInvalid, err)
	}
	d.flow = flow
	d.s.Variables = initVariables(flow, d.s.Variables)
	return nil
}

// mainLoop fires durable timers, and ends or continues the workflow as new.
// One timer runs at a time, for the earliest deadline; it is replaced only
// when a change brings a deadline earlier, so a turn costs no timer
// commands in the common case (see timer).
func (d *dialog) mainLoop() error {
	for {
		if Terminal(d.s.Status) {
			return d.finish()
		}
		if d.shouldContinueAsNew() {
			// What is not stored yet travels in the state to the next run,
			// which stores it; waiting for it here would let a busy dialog
			// keep taking updates and never move on.
			if err := workflow.Await(d.ctx, func() bool { return workflow.AllHandlersFinished(d.ctx) }); err != nil {
				return err
			}
			return workflow.NewContinueAsNewError(d.ctx, DialogWorkflow, d.nextRunParams())
		}
		at, _ := d.nextDeadline()
		d.timer.arm(d.ctx, earliest(at, d.flushAt))
		seen := d.changes
		if err := workflow.Await(d.ctx, func() bool { return d.changes != seen || d.timer.fired }); err != nil {
			return err
		}
		if d.timer.fired {
			d.timer.fired = false
			d.onTimer()
		}
	}
}

// onTimer handles whatever fell due: storing, and a turn of the flow.
func (d *dialog) onTimer() {
	now := workflow.Now(d.ctx)
	if !d.flushAt.IsZero() && !now.Before(d.flushAt) {
		d.flushNow = true
	}
	if at, fire := d.nextDeadline(); fire != nil && !now.Before(at) {
		d.withTurn(d.ctx, fire)
		d.flushNow = true // no caller stores what a timer produced
	}
}

// stored records that every turn up to StateSeq through is stored, by the
// workflow or by a caller, and drops those turns from Unstored.
func (d *dialog) stored(through int64) {
	i := 0
	for i < len(d.s.Unstored) && d.s.Unstored[i].Turn <= through {
		i++
	}
	d.s.Unstored = d.s.Unstored[i:]
	d.s.Persisted = max(d.s.Persisted, min(through, d.s.StateSeq))
	d.scheduleFlush()
}

// scheduleFlush sets when the workflow stores what callers have not
// acknowledged: PersistDelay after the oldest such turn. Callers store every
// turn at once and acknowledge it with their next message, so in a lively
// dialog the workflow itself rarely writes.
func (d *dialog) scheduleFlush() {
	switch {
	case len(d.s.Unstored) > 0:
		d.flushAt = d.s.Unstored[0].At.Add(d.settings.PersistDelay)
	case d.s.Persisted < d.s.StateSeq:
		d.flushAt = d.s.LastActivity.Add(d.settings.PersistDelay)
	default:
		d.flushAt = time.Time{}
	}
}

// earliest returns the earlier of two times, ignoring zero ones.
func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// finish waits until every handler is done and everything is stored.
func (d *dialog) finish() error {
	d.closing = true
	return workflow.Await(d.ctx, func() bool { return workflow.AllHandlersFinished(d.ctx) && !d.s.dirty() })
}

func (d *dialog) shouldContinueAsNew() bool {
	return d.updates >= d.settings.UpdatesPerRun || workflow.GetInfo(d.ctx).GetContinueAsNewSuggested()
}

func (d *dialog) nextRunParams() Params {
	p := d.p
	p.Resume = d.s
	p.Start = false
	return p
}

// persistLoop stores what the dialog produced, in batches, off the path of
// the updates: a turn's reply never waits for the database. Callers of
// updates store each turn at once; this loop is what makes sure nothing is
// lost when a caller dies, and it stores what timers produced.
func (d *dialog) persistLoop(ctx workflow.Context) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumInterval: time.Minute},
	})
	for {
		if err := workflow.Await(ctx, func() bool { return d.s.dirty() && (d.flushNow || d.closing) }); err != nil {
			return
		}
		in := PersistInput{ProjectID: d.p.ProjectID, State: d.dialogState()}
		for _, b := range d.s.Unstored {
			in.Messages = append(in.Messages, b.Messages...)
			in.Data = append(in.Data, b.Data...)
		}
		if err := workflow.ExecuteActivity(actx, ActivityPersist, in).Get(ctx, nil); err != nil {
			return // only when the workflow is cancelled: retries are unlimited
		}
		d.flushNow = false
		d.stored(in.State.StateSeq)
		d.changes++
	}
}

// dialogState is the dialog row as the store keeps it.
func (d *dialog) dialogState() store.DialogState {
	s := d.s
	return store.DialogState{
		DialogID: d.p.DialogID, StateSeq: s.StateSeq, BotID: s.Flow.BotID, Version: s.Flow.Version,
		Status: s.Status, Mode: s.Mode, Node: s.Node, Variables: s.Variables, PendingCount: s.Pending,
		LastUserAt: s.LastUserAt, UpdatedAt: workflow.Now(d.ctx), Title: s.Title, WorkingMemory: s.WorkingMemory,
		Handoff: s.Handoff, Scheduled: s.Scheduled,
	}
}

// withTurn runs fn as one turn and returns its result; every change of
// state goes through here, so the row is re-stored and the loop wakes up.
func (d *dialog) withTurn(ctx workflow.Context, fn func(t *turn)) TurnResult {
	t := &turn{ctx: ctx}
	fn(t)
	d.s.LastActivity = workflow.Now(ctx)
	d.s.StateSeq++
	d.changes++
	if len(t.msgs) > 0 || len(t.data) > 0 {
		d.s.Unstored = append(d.s.Unstored, Batch{Turn: d.s.StateSeq, At: d.s.LastActivity, Messages: t.msgs, Data: t.data})
	}
	d.scheduleFlush()
	return TurnResult{Messages: t.msgs, Data: t.data, State: d.dialogState(), Waiting: d.waitingInfo()}
}

// rejectf returns an update rejection the HTTP layer maps by its type.
func rejectf(kind, format string, args ...any) error {
	return temporal.NewApplicationError(fmt.Sprintf(format, args...), kind)
}

// IsErrorType reports whether err is an application error of the given type.
func IsErrorType(err error, kind string) bool {
	var app *temporal.ApplicationError
	return errors.As(err, &app) && app.Type() == kind
}
