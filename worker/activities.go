// Package worker runs Parley's Temporal worker: the dialog workflow, the
// activities that touch the store, and an embedded Temporal server for dev.
package worker

import (
	"context"
	"fmt"
	"net/http"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/parleyhq/parley/billing"
	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/events"
	"github.com/parleyhq/parley/knowledge"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/metrics"
	"github.com/parleyhq/parley/netguard"
	"github.com/parleyhq/parley/store"
)

// Activities are the dialog workflow's I/O.
type Activities struct {
	Store  store.Store
	Policy netguard.Policy // which addresses block services may have
	// Transport, when set, carries block calls instead of the guarded
	// network client: conversation tests plug their fake services in here.
	Transport http.RoundTripper
	// LLM answers llm nodes; nil when no model is configured.
	LLM llm.Provider
	// Knowledge indexes documents and answers knowledge searches.
	Knowledge *knowledge.Library
	// Bus gets text deltas and stored messages; nil when nothing listens.
	Bus events.Bus
	// Metrics counts block and model calls and ended dialogs; nil: none.
	Metrics *metrics.Metrics
	// Billing charges model calls to the project's account and refuses
	// those it cannot pay; nil: billing off.
	Billing *billing.Service
	// BlockTokenKey makes block tokens an HMAC of their attempt, the same
	// on every retry of a call (see blockToken); nil: random tokens.
	BlockTokenKey []byte
}

// PersistDialog stores a dialog's new messages, data and state in one
// transaction. The write is idempotent, so a retry after a crash never
// duplicates anything.
func (a *Activities) PersistDialog(ctx context.Context, in engine.PersistInput) error {
	if err := a.Store.SaveTurn(ctx, store.Turn{Messages: in.Messages, Data: in.Data, State: &in.State, Through: true}); err != nil {
		return fmt.Errorf("storing dialog %d: %w", in.State.DialogID, err)
	}
	// The workflow stores a dialog's last state once, after it ends (see
	// engine's finish), so an end is counted here, with its status. Only
	// a retry of a write whose success was lost counts it twice.
	a.Metrics.DialogEnded(in.State.Status)
	return nil
}

// LoadFlow returns the current version of a project's bot, for goto bot.
func (a *Activities) LoadFlow(ctx context.Context, in engine.LoadFlowInput) (engine.FlowRef, error) {
	bot, err := a.Store.Bot(ctx, in.ProjectID, in.Slug)
	if store.ErrorCode(err) == store.ENOTFOUND {
		return engine.FlowRef{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf("there is no bot %q", in.Slug), engine.ErrNotFound, err)
	}
	if err != nil {
		return engine.FlowRef{}, fmt.Errorf("loading bot %s: %w", in.Slug, err)
	}
	v, err := a.Store.FlowVersion(ctx, bot.ID, bot.CurrentVersion)
	if err != nil {
		return engine.FlowRef{}, fmt.Errorf("loading bot %s version %d: %w", in.Slug, bot.CurrentVersion, err)
	}
	return engine.FlowRef{BotID: bot.ID, Slug: bot.Slug, Version: v.Version, Source: v.Source}, nil
}

// Register adds the dialog workflow and its activities to a worker (or a
// test environment, which has the same methods).
func Register(r interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
	RegisterActivityWithOptions(a any, options activity.RegisterOptions)
}, a *Activities) {
	r.RegisterWorkflowWithOptions(engine.DialogWorkflow, workflow.RegisterOptions{Name: engine.WorkflowName})
	r.RegisterActivityWithOptions(a.PersistDialog, activity.RegisterOptions{Name: engine.ActivityPersist})
	r.RegisterActivityWithOptions(a.LoadFlow, activity.RegisterOptions{Name: engine.ActivityLoadFlow})
	r.RegisterActivityWithOptions(a.CallBlock, activity.RegisterOptions{Name: engine.ActivityCallBlock})
	r.RegisterActivityWithOptions(a.CallLLM, activity.RegisterOptions{Name: engine.ActivityCallLLM})
	r.RegisterActivityWithOptions(a.CallTool, activity.RegisterOptions{Name: engine.ActivityCallTool})
	r.RegisterActivityWithOptions(a.GenerateTitle, activity.RegisterOptions{Name: engine.ActivityTitle})
	r.RegisterWorkflowWithOptions(IndexDocumentWorkflow, workflow.RegisterOptions{Name: WorkflowIndexDocument})
	r.RegisterActivityWithOptions(a.IndexDocument, activity.RegisterOptions{Name: ActivityIndexDocument})
	r.RegisterActivityWithOptions(a.IndexFailed, activity.RegisterOptions{Name: ActivityIndexFailed})
	r.RegisterWorkflowWithOptions(BulkWorkflow, workflow.RegisterOptions{Name: dialogs.BulkWorkflowName})
	r.RegisterActivityWithOptions(a.BulkMatch, activity.RegisterOptions{Name: ActivityBulkMatch})
	r.RegisterActivityWithOptions(a.BulkApply, activity.RegisterOptions{Name: ActivityBulkApply})
}
