package worker

import (
	"context"

	"go.temporal.io/sdk/activity"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/events"
)

// publishDelta sends a piece of a model's reply to the bus as a
// text-delta, so streaming clients see the text while the update still
// waits for all of it.
func (a *Activities) publishDelta(ctx context.Context, in engine.LLMCall, delta string) {
	if a.Bus == nil || delta == "" {
		return
	}
	a.Bus.Publish(ctx, events.Event{Type: events.TypeTextDelta, ProjectID: in.ProjectID, DialogID: in.DialogID,
		Node: in.Node, Attempt: int(activity.GetInfo(ctx).Attempt), Delta: delta})
}
