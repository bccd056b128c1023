package dialogs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/internal/wait"
	"github.com/parleyhq/parley/metrics"
	"github.com/parleyhq/parley/store"
)

// Turn is what a use case did to a dialog: the messages its user is shown
// (the bot's, an operator's, a service's; not the user's own), the state
// after it, and what the dialog waits for now.
type Turn struct {
	Messages []store.Message
	State    store.DialogState
	Waiting  *Waiting
}

// Waiting says where a paused dialog waits: its node and the node's kind.
type Waiting = engine.WaitingInfo

// turnOf is the dialects' view of a turn the workflow returned.
func turnOf(r *engine.TurnResult) *Turn {
	msgs := r.BotMessages()
	if msgs == nil {
		msgs = []store.Message{}
	}
	return &Turn{Messages: msgs, State: r.State, Waiting: r.Waiting}
}

// updateAttempts bounds how often update sends an update the server
// could not run (see retryableUpdate).
const updateAttempts = 5

// update sends an update to a dialog's workflow, stores the turn and
// returns it. updateID makes retries of the same request idempotent; ""
// makes one. An update the server could not run because the workflow was
// between runs (continue-as-new) or its task failed is sent again, with
// the same update id, so it runs once.
func (s *Service) update(ctx context.Context, d *store.Dialog, name, updateID string, arg any) (*Turn, error) {
	if updateID == "" {
		updateID = uuid.NewString() // one id for every attempt
	}
	opts := client.UpdateWorkflowOptions{WorkflowID: engine.WorkflowID(d.UUID), UpdateName: name, UpdateID: updateID,
		WaitForStage: client.WorkflowUpdateStageCompleted}
	if arg != nil {
		opts.Args = []any{arg}
	}
	// The turn is timed here, around the update's round trip (every
	// attempt, not storing the turn), rather than in the workflow: the
	// workflow's clock (workflow.Now) stands still within a workflow task,
	// so a turn that runs no activity would measure zero there, and the
	// time a caller waits for the update is what operators need to watch.
	start := time.Now()
	var err error
	for attempt := 1; attempt <= updateAttempts; attempt++ {
		var handle client.WorkflowUpdateHandle
		if handle, err = s.Temporal.UpdateWorkflow(ctx, opts); err == nil {
			var turn engine.TurnResult
			if err = handle.Get(ctx, &turn); err == nil {
				s.Metrics.Turn(name, metrics.OutcomeOK, time.Since(start))
				s.keep(ctx, d, &turn)
				s.recent.put(d)
				return turnOf(&turn), nil
			}
		}
		if !retryableUpdate(err) || s.endedInStore(ctx, d, err) || !wait.For(ctx, time.Duration(attempt)*50*time.Millisecond) {
			break
		}
		s.log().Info("sending an update again", "dialog", d.UUID, "update", name, "attempt", attempt+1, "error", err)
	}
	took := time.Since(start)
	s.recent.forget(d)
	err = s.mapError(ctx, d, err)
	s.Metrics.Turn(name, turnOutcome(ctx, err), took)
	return nil, err
}

// turnOutcome is how a turn ended, for metrics: ok, the code of a refusal
// (conflict, invalid, not_found, unsupported, forbidden), canceled when the
// caller went away, or error.
func turnOutcome(ctx context.Context, err error) string {
	switch {
	case err == nil:
		return metrics.OutcomeOK
	case ctx.Err() != nil:
		return metrics.OutcomeCanceled
	}
	if code := store.ErrorCode(err); code != store.EINTERNAL {
		return code
	}
	return metrics.OutcomeError
}

// retryableUpdate reports whether the server could not run an update for a
// passing reason: the workflow task failed (a command raced the update, as
// when the workflow continues as new), the update was aborted, or the run
// it reached was closing into the next one. A dialog that really ended
// answers the next attempt with a plain NotFound.
func retryableUpdate(err error) bool {
	var notReady *serviceerror.WorkflowNotReady
	var unavailable *serviceerror.Unavailable
	return errors.As(err, &notReady) || errors.As(err, &unavailable) || abortedByClosingRun(err)
}

// closingRunMessage is how the Temporal server words the NotFound of an
// update whose run closed before it ran (the server's
// update.AbortedByWorkflowClosingErr). The API has no typed error that
// tells it from "the workflow is gone"; a test holds this to the server's
// own value, so an upgrade that rewords it fails the build.
const closingRunMessage = "workflow update was aborted by closing workflow"

// abortedByClosingRun reports whether err is the server's answer to an
// update that reached a run as it closed (continue-as-new).
func abortedByClosingRun(err error) bool {
	var notFound *serviceerror.NotFound
	return errors.As(err, &notFound) && notFound.Message == closingRunMessage
}

// endedInStore reports whether an update aborted by a closing run met a
// dialog that ended (its last turn is stored before the workflow closes),
// rather than one moving on to its next run: sending it again would only
// wait for the same answer.
func (s *Service) endedInStore(ctx context.Context, d *store.Dialog, err error) bool {
	if !abortedByClosingRun(err) {
		return false
	}
	fresh, ferr := s.Store.Dialog(ctx, d.ProjectID, d.UUID)
	return ferr == nil && engine.Terminal(fresh.Status)
}

// keep stores a turn before the caller answers its client, so a client
// that got a reply finds it in the store; the store's event log announces
// it. The workflow stores the same rows too; both writes are idempotent.
// d becomes the dialog as the turn left it; its StoredThrough moves on as
// the store's does when the turn was the next one (store.Dialogs' rule),
// and stays where it was otherwise: a lower mark only acknowledges less.
func (s *Service) keep(ctx context.Context, d *store.Dialog, turn *engine.TurnResult) {
	through := d.StoredThrough
	if err := s.save(ctx, turn); err != nil {
		s.log().Warn("storing a turn failed; the workflow will store it", "dialog", d.UUID, "error", err)
	} else if turn.State.StateSeq == through+1 {
		through = turn.State.StateSeq
	}
	d.DialogState = turn.State
	d.StoredThrough = through
}

func (s *Service) save(ctx context.Context, t *engine.TurnResult) error {
	return s.Store.SaveTurn(ctx, store.Turn{Messages: t.Messages, Data: t.Data, State: &t.State})
}

// rejections are the codes of the workflow's refusals.
var rejections = map[string]string{
	engine.ErrConflict:    store.ECONFLICT,
	engine.ErrInvalid:     store.EINVALID,
	engine.ErrNotFound:    store.ENOTFOUND,
	engine.ErrUnsupported: store.EUNSUPPORTED,
}

// mapError turns Temporal's errors into domain errors.
func (s *Service) mapError(ctx context.Context, d *store.Dialog, err error) error {
	if err == nil {
		return nil
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		if code, ok := rejections[app.Type()]; ok {
			return store.Errorf(code, "%s", app.Message())
		}
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		status := d.Status
		fresh, ferr := s.Store.Dialog(ctx, d.ProjectID, d.UUID)
		switch {
		case ferr == nil:
			status = fresh.Status
		case store.ErrorCode(ferr) == store.ENOTFOUND:
			return ferr // deleted since the caller found it
		}
		return store.Errorf(store.ECONFLICT, "the dialog has ended (status %s)", status)
	}
	return fmt.Errorf("updating dialog %s: %w", d.UUID, err)
}

// maxClientMessageID is the longest client message id taken: it becomes
// part of an update id, and Temporal bounds those.
const maxClientMessageID = 200

// clientUpdateID is the update id of a message a client may send again
// with the same clientID: the same on every retry, so Temporal runs it
// once. "" (a new id per call) without a clientID; EINVALID for one too
// long.
func clientUpdateID(prefix, clientID string) (string, error) {
	if clientID == "" {
		return "", nil
	}
	if len(clientID) > maxClientMessageID {
		return "", store.FieldErrorf(store.EINVALID, "client_message_id",
			"The client_message_id has %d characters; use at most %d.", len(clientID), maxClientMessageID)
	}
	return prefix + clientID, nil
}
