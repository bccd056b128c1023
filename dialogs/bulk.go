package dialogs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/store"
)

// Bulk actions: what POST /v1/dialogs/bulk does to each dialog it matches.
const (
	BulkStop    = "stop"    // silence the bot: the dialog waits for an operator
	BulkStart   = "start"   // hand it back to the bot (or run a created one)
	BulkRelease = "release" // release its handoff, with variables set first
	BulkClose   = "close"   // end it as completed
	BulkGoto    = "goto"    // move it to a node of its flow, or to another bot
	BulkMessage = "message" // an operator's message to the user (which takes the dialog)
	// BulkInterrupt ends the dialog as interrupted, keeping its history
	// (what deleting its bot does to its running dialogs).
	BulkInterrupt = "interrupt"
)

// BulkActions lists the bulk actions.
var BulkActions = []string{BulkStop, BulkStart, BulkRelease, BulkClose, BulkGoto, BulkMessage, BulkInterrupt}

// MaxBulkDialogs is the most dialogs one bulk action may match: its list of
// dialogs travels in the workflow's history.
const MaxBulkDialogs = 10_000

// BulkAction is what a bulk action does to each dialog, and as whom.
type BulkAction struct {
	Action    string
	Node      string         `json:",omitempty"` // goto: the node, or
	Bot       string         `json:",omitempty"` // goto: the bot's slug
	Text      string         `json:",omitempty"` // message
	Variables map[string]any `json:",omitempty"` // release
	Operator  Operator       // who acts
}

// Check says what is wrong with a, if anything (EINVALID, naming the
// field).
func (a BulkAction) Check() error {
	switch a.Action {
	case BulkStop, BulkStart, BulkRelease, BulkClose, BulkInterrupt:
	case BulkGoto:
		if (a.Node == "") == (a.Bot == "") {
			return store.FieldErrorf(store.EINVALID, "node", "A goto names either a `node` of the dialogs' flow or a `bot` to move them to.")
		}
	case BulkMessage:
		if strings.TrimSpace(a.Text) == "" {
			return store.FieldErrorf(store.EINVALID, "text", "A message action needs the `text` to send.")
		}
	default:
		return store.FieldErrorf(store.EINVALID, "action", "`action` is one of %s; got %q.", strings.Join(BulkActions, ", "), a.Action)
	}
	return nil
}

// Apply does a to one dialog. updateID makes it idempotent: a bulk action
// that applies again what it applied before (its worker died in between)
// gets the first answer from the dialog's workflow instead of acting twice.
func (s *Service) Apply(ctx context.Context, d *store.Dialog, a BulkAction, updateID string) error {
	var name string
	var arg any
	switch a.Action {
	case BulkStop:
		name = engine.UpdateStop
	case BulkStart:
		name = engine.UpdateStart
	case BulkRelease:
		name, arg = engine.UpdateHandoff, HandoffInput{Action: HandoffRelease, Operator: a.Operator, Variables: a.Variables}
	case BulkClose:
		name, arg = engine.UpdateHandoff, HandoffInput{Action: HandoffClose, Operator: a.Operator}
	case BulkGoto:
		name, arg = engine.UpdateCommand, engine.CommandInput{Node: a.Node}
		if a.Bot != "" {
			arg = engine.CommandInput{Command: "goto " + a.Bot}
		}
	case BulkInterrupt:
		name, arg = engine.UpdateCommand, engine.CommandInput{Command: engine.CommandInterrupt}
	case BulkMessage:
		name, arg = engine.UpdateOperatorMessage, engine.OperatorMessageInput{Operator: a.Operator.Name, OperatorID: a.Operator.ID, Text: a.Text}
	default:
		return a.Check()
	}
	_, err := s.update(ctx, d, name, updateID, arg)
	return err
}

// Bulk workflow names; the worker runs the workflow.
const (
	BulkWorkflowName = "BulkAction"
	BulkQueryName    = "progress"
)

// BulkJob is a bulk action as its workflow runs it.
type BulkJob struct {
	ID        string
	ProjectID int64
	Filter    store.DialogFilter // resolved: bot ids and absolute times
	Action    BulkAction
	Created   time.Time
}

// BulkProgress is where a bulk action stands.
type BulkProgress struct {
	Job      BulkJob
	Matched  int
	Done     int           // acted on
	Failed   int           // could not be acted on
	Failures []BulkFailure // the first 1000 of them, with the reason
	Finished *time.Time    `json:",omitempty"`
}

// BulkFailure is a dialog a bulk action could not act on, and why.
type BulkFailure struct {
	Dialog string // its UUID
	Reason string
}

// BulkWorkflowID is the workflow of a project's bulk action: the project
// in it keeps another project's ids from finding it.
func BulkWorkflowID(projectID int64, id string) string {
	return fmt.Sprintf("bulk-%d-%s", projectID, id)
}

// StartBulk starts a over the project's dialogs that match f, as a
// workflow that survives restarts, and returns its job. EINVALID for a
// malformed action or filter, or one that matches more than
// MaxBulkDialogs dialogs.
func (s *Service) StartBulk(ctx context.Context, projectID int64, f store.DialogFilter, a BulkAction) (*BulkJob, error) {
	if err := a.Check(); err != nil {
		return nil, err
	}
	count := f
	count.Limit, count.Offset, count.After, count.SkipCount = 1, 0, nil, false
	_, total, err := s.Store.ListDialogs(ctx, projectID, count)
	if err != nil {
		return nil, err
	}
	if total > MaxBulkDialogs {
		return nil, store.Errorf(store.EINVALID, "The filter matches %d dialogs; a bulk action takes at most %d: narrow the filter.", total, MaxBulkDialogs)
	}
	job := &BulkJob{ID: uuid.NewString(), ProjectID: projectID, Filter: f, Action: a, Created: time.Now().UTC()}
	opts := client.StartWorkflowOptions{ID: BulkWorkflowID(projectID, job.ID), TaskQueue: engine.TaskQueue}
	if _, err := s.Temporal.ExecuteWorkflow(ctx, opts, BulkWorkflowName, *job); err != nil {
		return nil, fmt.Errorf("starting the bulk action: %w", err)
	}
	return job, nil
}

// BulkStatus returns where a project's bulk action stands; ENOTFOUND if
// the project has none with that id (or Temporal no longer keeps it).
func (s *Service) BulkStatus(ctx context.Context, projectID int64, id string) (*BulkProgress, error) {
	if _, err := uuid.Parse(id); err != nil {
		return nil, store.Errorf(store.ENOTFOUND, "There is no bulk action %q.", id)
	}
	v, err := s.Temporal.QueryWorkflow(ctx, BulkWorkflowID(projectID, id), "", BulkQueryName)
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return nil, store.Errorf(store.ENOTFOUND, "There is no bulk action %q.", id)
	}
	if err != nil {
		return nil, fmt.Errorf("asking the bulk action how far it is: %w", err)
	}
	var p BulkProgress
	if err := v.Get(&p); err != nil {
		return nil, err
	}
	return &p, nil
}
