package telegram

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/parleyhq/parley/events"
	"github.com/parleyhq/parley/store"
)

// Names of the integration workflow, its activity and their task queue.
const (
	TaskQueue    = "parley-integrations"
	WorkflowName = "TelegramIntegration"
	ActivityName = "TelegramRun"
)

// Input names the integration a workflow runs.
type Input struct {
	ProjectID int64
	UUID      string
}

// Result says whether the integration's loop should go on.
type Result struct {
	Stop bool // deleted, not active, or its token refused
}

// WorkflowID is an integration's workflow: one per integration, so one
// poller (Telegram answers a second getUpdates with 409) and one relay.
func WorkflowID(integrationUUID string) string { return "integration-" + integrationUUID }

// runsPerHistory bounds a workflow run's history; it continues as new.
const runsPerHistory = 50

// Workflow runs an integration: the activity polls or sets the webhook
// and relays replies for a while, then the workflow runs it again, until
// the integration stops. Temporal keeps one workflow of an ID running, and
// one attempt of its activity, so two workers never poll one bot.
func Workflow(ctx workflow.Context, in Input) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: runFor + time.Minute,
		HeartbeatTimeout:    heartbeatEvery * 3,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	})
	for range runsPerHistory {
		var r Result
		if err := workflow.ExecuteActivity(ctx, ActivityName, in).Get(ctx, &r); err != nil {
			if temporal.IsCanceledError(err) {
				return nil
			}
			return err
		}
		if r.Stop {
			return nil
		}
	}
	return workflow.NewContinueAsNewError(ctx, WorkflowName, in)
}

// How long one activity runs before the workflow runs it again (and the
// integration is read afresh), and how often it heartbeats.
var (
	runFor         = 10 * time.Minute
	heartbeatEvery = 10 * time.Second
)

// Activities run integrations' loops in a worker of TaskQueue.
type Activities struct {
	Channel *Channel
	Bus     events.Bus    // wakes the relay at once; nil: it reads the log every second
	Poll    time.Duration // getUpdates' long-poll timeout; 0 means 25 s
}

// Register adds the integration workflow and its activity to a worker.
func Register(r interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
	RegisterActivityWithOptions(a any, options activity.RegisterOptions)
}, a *Activities) {
	r.RegisterWorkflowWithOptions(Workflow, workflow.RegisterOptions{Name: WorkflowName})
	r.RegisterActivityWithOptions(a.Run, activity.RegisterOptions{Name: ActivityName})
}

// Run is one stretch of an integration's loop: it sets the webhook (a
// public URL) or long-polls updates, and relays replies, until runFor has
// passed, the integration is no longer active, or Telegram refuses its
// token (then it is marked error).
func (a *Activities) Run(ctx context.Context, in Input) (Result, error) {
	ch := a.Channel
	integ, err := ch.Store.Integration(ctx, in.ProjectID, in.UUID)
	if store.ErrorCode(err) == store.ENOTFOUND {
		return Result{Stop: true}, nil
	}
	if err != nil {
		return Result{}, err
	}
	if integ.Status != store.IntegrationActive || integ.Vendor != "telegram" {
		return Result{Stop: true}, nil
	}
	token, err := ch.Token(integ)
	if err != nil {
		return Result{Stop: true}, nil // nothing to run with until auth_data changes
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, runFor)
	defer cancel()
	errs := make(chan error, 3)
	go func() { errs <- a.watch(ctx, in, integ.UpdatedAt) }()
	go func() { errs <- ch.relay(ctx, integ, token, a.Bus) }()
	go func() { errs <- a.receive(ctx, integ, token) }()
	err = <-errs
	cancel()
	switch {
	case errors.Is(err, errStop):
		return Result{Stop: true}, nil
	case errors.Is(err, errRestart), errors.Is(err, context.DeadlineExceeded) && parent.Err() == nil:
		return Result{}, nil // runFor passed: the workflow runs the loop again
	}
	return Result{}, err
}

// errRestart ends a stretch of the loop early: the integration changed
// (a new token), and the workflow runs the loop again with it.
var errRestart = errors.New("integration changed")

// watch heartbeats and ends the loop when the integration is deleted or
// no longer active (errStop), or changed since updated (errRestart).
func (a *Activities) watch(ctx context.Context, in Input, updated time.Time) error {
	tick := time.NewTicker(heartbeatEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		activity.RecordHeartbeat(ctx)
		integ, err := a.Channel.Store.Integration(ctx, in.ProjectID, in.UUID)
		if store.ErrorCode(err) == store.ENOTFOUND || (err == nil && integ.Status != store.IntegrationActive) {
			return errStop
		}
		if err == nil && !integ.UpdatedAt.Equal(updated) {
			return errRestart
		}
	}
}

// receive sets the webhook, or long-polls updates and handles them.
func (a *Activities) receive(ctx context.Context, integ *store.Integration, token string) error {
	ch, client := a.Channel, a.Channel.Client(token)
	if ch.PublicURL != "" {
		err := client.SetWebhook(ctx, ch.PublicURL+WebhookPath(integ.UUID), WebhookSecret(token, integ.UUID))
		if err != nil {
			return ch.refused(ctx, integ, err)
		}
		<-ctx.Done()
		return ctx.Err()
	}
	if err := client.DeleteWebhook(ctx); err != nil {
		return ch.refused(ctx, integ, err)
	}
	poll := a.Poll
	if poll == 0 {
		poll = 25 * time.Second
	}
	var offset int64
	for {
		updates, err := client.GetUpdates(ctx, offset, poll)
		var api *APIError
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case errors.As(err, &api) && api.Code == 429:
			if err := sleep(ctx, max(api.RetryAfter, time.Second)); err != nil {
				return err
			}
			continue
		case err != nil:
			return ch.refused(ctx, integ, err)
		}
		for _, u := range updates {
			// A user's message that cannot be handled (a disabled bot) is
			// logged and passed over, not polled again forever.
			if err := ch.HandleUpdate(ctx, integ, token, u); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				ch.log().Warn("handling a telegram update", "integration", integ.UUID, "update", u.UpdateID, "error", err)
			}
			offset = u.UpdateID + 1
		}
	}
}

// refused is err, after marking the integration in error if Telegram
// refused its token (errStop then).
func (ch *Channel) refused(ctx context.Context, integ *store.Integration, err error) error {
	if IsUnauthorized(err) {
		ch.AuthLost(ctx, integ, err)
		return errStop
	}
	return err
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// Start runs an integration's workflow unless it runs already.
func Start(ctx context.Context, c client.Client, in *store.Integration) error {
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: WorkflowID(in.UUID), TaskQueue: TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE}, WorkflowName, Input{ProjectID: in.ProjectID, UUID: in.UUID})
	if err != nil {
		return fmt.Errorf("starting integration %s: %w", in.UUID, err)
	}
	return nil
}

// Stop cancels an integration's workflow, if it runs.
func Stop(ctx context.Context, c client.Client, integrationUUID string) error {
	err := c.CancelWorkflow(ctx, WorkflowID(integrationUUID), "")
	var notFound *serviceerror.NotFound
	if err != nil && !errors.As(err, &notFound) {
		return fmt.Errorf("stopping integration %s: %w", integrationUUID, err)
	}
	return nil
}
