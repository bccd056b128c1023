// Package dialogs is what every API dialect does with bots and dialogs:
// publish flows, create and drive dialogs through their workflows, and keep
// the store in step with each turn.
package dialogs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/parleyhq/parley/blobs"
	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/events"
	"github.com/parleyhq/parley/flows"
	"github.com/parleyhq/parley/metrics"
	"github.com/parleyhq/parley/nodes"
	"github.com/parleyhq/parley/store"
)

// Service drives dialogs. It is safe for concurrent use.
type Service struct {
	Store    store.Store
	Temporal client.Client
	Settings engine.Settings
	Logger   *slog.Logger
	// Bus, when set, hears of every turn the service stores.
	Bus events.Bus
	// Files is where uploaded files are kept.
	Files blobs.Dir
	// Metrics counts dialogs started and times turns; nil: none.
	Metrics *metrics.Metrics

	recent    recentDialogs // the dialogs of this process's last turns, for FindToTalk
	botStatus botStatuses   // bots' statuses, for a disabled bot's dialogs
}

// FlowError is returned by Publish for a flow with errors.
type FlowError struct {
	Problems flows.Problems
}

func (e *FlowError) Error() string {
	return fmt.Sprintf("the flow has %d errors; the first: %s", len(e.Problems), e.Problems[0])
}

// Publish checks a bot file and stores it as the bot's next version. slug,
// when not empty, must equal the file's `bot`.
func (s *Service) Publish(ctx context.Context, projectID int64, slug, source, author string) (*store.Published, error) {
	flow, problems := check(slug, source)
	if errs := problems.Errors(); len(errs) > 0 {
		return nil, &FlowError{Problems: errs}
	}
	return s.Store.PublishFlow(ctx, store.Publish{ProjectID: projectID, Slug: flow.Bot, Name: flow.Name, Source: source, Author: author})
}

// check loads a bot file meant for slug ("" for any) with every problem
// it has, a `bot` other than slug among them.
func check(slug, source string) (*flows.Flow, flows.Problems) {
	flow, problems := nodes.Load(slug+".yaml", []byte(source))
	if slug != "" && flow.Bot != "" && flow.Bot != slug {
		problems = append(problems, flows.Problem{File: slug + ".yaml", Line: 1, Column: 1, Severity: flows.Error,
			Code: flows.CodeInvalidID, Message: fmt.Sprintf("the file says `bot: %s` but is published as %q; make them the same", flow.Bot, slug)})
	}
	return flow, problems
}

// CreateInput describes a new dialog.
type CreateInput struct {
	Variables  map[string]any
	Start      bool // run the first turn now
	Source     string
	IP         string
	ExternalID string
	// UUID, when set, is the new dialog's UUID (a client-chosen thread
	// id); ECONFLICT if a dialog has it.
	UUID string
	// IdempotencyKey, when set, names the dialog for retries: a create
	// sent again with the same key (after a timeout or a lost answer) makes
	// no second dialog but answers the first one. It sets the UUID.
	IdempotencyKey string
	// ChannelID is the channel the dialog comes through; 0 is its bot's
	// API channel.
	ChannelID int64
	// User is the person (id, name, email, phone, and anything else):
	// `user` in expressions; dialogs of a bot with the same user.id are the
	// same person's.
	User map[string]any
}

// Create stores a dialog and starts its workflow. With Start, the first
// turn runs at once and its result is returned. ECONFLICT for a disabled
// bot.
func (s *Service) Create(ctx context.Context, projectID int64, slug string, in CreateInput) (*store.Dialog, *Turn, error) {
	bot, err := s.Store.Bot(ctx, projectID, slug)
	if err != nil {
		return nil, nil, err
	}
	if bot.Status == store.BotDisabled {
		return nil, nil, store.Errorf(store.ECONFLICT, "Bot %q is disabled and takes no new dialogs; set its status to active first.", slug)
	}
	ref, err := s.flowRef(ctx, bot, bot.CurrentVersion)
	if err != nil {
		return nil, nil, err
	}
	return s.create(ctx, projectID, ref, in)
}

// create stores a dialog of the flow ref and starts its workflow.
func (s *Service) create(ctx context.Context, projectID int64, ref engine.FlowRef, in CreateInput) (*store.Dialog, *Turn, error) {
	if err := checkVariables(ref, in.Variables); err != nil {
		return nil, nil, err
	}
	userID, err := checkUser(in.User)
	if err != nil {
		return nil, nil, err
	}
	if in.IdempotencyKey != "" {
		if in.UUID, err = keyedUUID(projectID, in.IdempotencyKey); err != nil {
			return nil, nil, err
		}
	}
	// StateSeq 1 is the created dialog, the workflow's first state.
	d := &store.Dialog{ProjectID: projectID, Source: in.Source, IP: in.IP, ExternalID: in.ExternalID, UserID: userID, User: in.User,
		ChannelID: in.ChannelID, UUID: in.UUID,
		DialogState: store.DialogState{StateSeq: 1, BotID: ref.BotID, Version: ref.Version, Status: store.StatusCreated, Mode: store.ModeAuto, Variables: in.Variables}}
	if err := s.Store.CreateDialog(ctx, d); err != nil {
		if in.IdempotencyKey != "" && store.ErrorCode(err) == store.ECONFLICT {
			return s.createAgain(ctx, projectID, ref, in)
		}
		return nil, nil, err
	}
	return s.startWorkflow(ctx, d, s.params(d, ref), in.Start)
}

// params are a stored dialog's workflow's.
func (s *Service) params(d *store.Dialog, ref engine.FlowRef) engine.Params {
	return engine.Params{ProjectID: d.ProjectID, DialogID: d.ID, DialogUUID: d.UUID, Number: d.Number,
		Source: d.Source, Flow: ref, Variables: d.Variables, User: d.User, Settings: s.Settings}
}

// startWorkflow starts a stored dialog's workflow and, with start, runs
// its first turn.
func (s *Service) startWorkflow(ctx context.Context, d *store.Dialog, params engine.Params, start bool) (*store.Dialog, *Turn, error) {
	if !start {
		_, err := s.Temporal.ExecuteWorkflow(ctx, startOptions(d), engine.WorkflowName, params)
		if err == nil {
			s.Metrics.DialogStarted()
		}
		return d, nil, s.mapError(ctx, d, err)
	}
	turn, err := s.startWithUpdate(ctx, d, params)
	return d, turn, err
}

func startOptions(d *store.Dialog) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID: engine.WorkflowID(d.UUID), TaskQueue: engine.TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}
}

// startWithUpdate starts the workflow and its first turn in one call.
func (s *Service) startWithUpdate(ctx context.Context, d *store.Dialog, params engine.Params) (*Turn, error) {
	op := s.Temporal.NewWithStartWorkflowOperation(startOptions(d), engine.WorkflowName, params)
	start := time.Now()
	handle, err := s.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: op,
		UpdateOptions: client.UpdateWorkflowOptions{WorkflowID: engine.WorkflowID(d.UUID), UpdateName: engine.UpdateStart,
			UpdateID: "start", WaitForStage: client.WorkflowUpdateStageCompleted},
	})
	var turn engine.TurnResult
	if err == nil {
		// The server took the update, so the workflow runs. (When it
		// refuses, the workflow may have started all the same; the
		// counter misses that rare case rather than wait on op.Get.)
		s.Metrics.DialogStarted()
		err = handle.Get(ctx, &turn)
	}
	took := time.Since(start)
	err = s.mapError(ctx, d, err)
	s.Metrics.Turn(engine.UpdateStart, turnOutcome(ctx, err), took)
	if err != nil {
		return nil, err
	}
	s.keep(ctx, d, &turn)
	return turnOf(&turn), nil
}

func (s *Service) flowRef(ctx context.Context, bot *store.Bot, version int) (engine.FlowRef, error) {
	v, err := s.Store.FlowVersion(ctx, bot.ID, version)
	if err != nil {
		return engine.FlowRef{}, err
	}
	return engine.FlowRef{BotID: bot.ID, Slug: bot.Slug, Version: v.Version, Source: v.Source}, nil
}

// checkVariables rejects initial values that do not fit declared types.
func checkVariables(ref engine.FlowRef, vars map[string]any) error {
	flow, err := engine.LoadFlow(ref)
	if err != nil {
		return err
	}
	for name, v := range vars {
		decl := flow.Variable(name)
		if decl == nil || v == nil {
			continue
		}
		if !flows.Fits(decl.Type, v) && !(decl.Type == flows.VarInteger && isWhole(v)) {
			return store.Errorf(store.EINVALID, "variable %q is declared as %s; %s does not fit", name, decl.Type, flows.FormatValue(v))
		}
	}
	return nil
}

// maxUserID bounds user.id, which is stored and looked up.
const maxUserID = 255

// checkUser checks the person a dialog is with: the fields expressions
// read as strings (user.id, name, email, phone) must be strings. It
// returns user.id, which makes the person's dialogs of a bot known as
// theirs (semantic recall).
func checkUser(user map[string]any) (string, error) {
	for _, key := range []string{"id", "name", "email", "phone"} {
		if v, ok := user[key]; ok && v != nil {
			if _, ok := v.(string); !ok {
				return "", store.Errorf(store.EINVALID, "user.%s must be a string; %s is not", key, flows.FormatValue(v))
			}
		}
	}
	id, _ := user["id"].(string)
	if len(id) > maxUserID {
		return "", store.Errorf(store.EINVALID, "user.id has %d bytes; use at most %d", len(id), maxUserID)
	}
	return id, nil
}

func isWhole(v any) bool {
	f, ok := v.(float64)
	return ok && f == float64(int64(f))
}

func (s *Service) log() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

// Workers counts the worker processes polling the dialogs' task queue,
// for workflows or activities: the processes that run dialogs now.
func (s *Service) Workers(ctx context.Context) (int, error) {
	workers := map[string]bool{}
	for _, kind := range []enums.TaskQueueType{enums.TASK_QUEUE_TYPE_WORKFLOW, enums.TASK_QUEUE_TYPE_ACTIVITY} {
		resp, err := s.Temporal.DescribeTaskQueue(ctx, engine.TaskQueue, kind)
		if err != nil {
			return 0, err
		}
		for _, p := range resp.GetPollers() {
			workers[p.GetIdentity()] = true
		}
	}
	return len(workers), nil
}
