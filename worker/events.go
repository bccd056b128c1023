package worker

import (
	"context"

	"go.temporal.io/sdk/activity"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/events"
)

// publishTool tells streaming clients about a tool call (result "") or
// its result; a retried activity tells again, and readers key on the id.
func (a *Activities) publishTool(ctx context.Context, in engine.ToolCallInput, typ, result string) {
	if a.Bus == nil {
		return
	}
	a.Bus.Publish(ctx, events.Event{Type: typ, ProjectID: in.ProjectID, DialogID: in.DialogID, DialogUUID: in.DialogUUID,
		Node: in.Node, Tool: &events.ToolCall{ID: in.CallID, Name: in.Tool, Arguments: in.Arguments, Result: result}})
}

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
