package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/parleyhq/parley/flows"
	"github.com/parleyhq/parley/nodes"
	"github.com/parleyhq/parley/store"
)

// block enters a block node. With wait (the default) the dialog pauses
// while its service works: the call is made off the update's path by
// blockLoop, and the service ends the block with complete. With wait:
// false the call is made here and its JSON response is the result.
func (d *dialog) block(t *turn, id string, b *nodes.Block) (string, bool) {
	d.s.Blocks++
	now := workflow.Now(t.ctx)
	w := &Waiting{Node: id, Kind: "block", Since: now, Until: now.Add(b.Timeout), Attempt: d.s.Blocks}
	if b.Wait {
		d.s.Waiting = w
		return "", false
	}
	w.Kind = "call"
	d.s.Waiting = w // lets the service send messages during the call
	var result any
	err := workflow.ExecuteActivity(d.blockContext(t.ctx, b), ActivityCallBlock, d.blockCall(t.ctx, w, b)).Get(t.ctx, &result)
	d.s.Waiting = nil
	if err != nil {
		return d.blockFailed(t, id, b, err)
	}
	d.blockDone(t, id, b, result)
	return d.follow(t, b.Next)
}

// blockContext sets the call's retries: connection errors and 5xx are
// retried with backoff, 4xx and refused addresses are not.
func (d *dialog) blockContext(ctx workflow.Context, b *nodes.Block) workflow.Context {
	perTry := min(b.Timeout, 30*time.Second)
	if !b.Wait {
		perTry = b.Timeout
	}
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: perTry + 5*time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumAttempts: 5,
			NonRetryableErrorTypes: []string{ErrBlockRejected},
		},
	})
}

// blockCall is the request for the block's service.
func (d *dialog) blockCall(ctx workflow.Context, w *Waiting, b *nodes.Block) BlockCall {
	t := &turn{ctx: ctx}
	call := BlockCall{
		ProjectID: d.p.ProjectID, DialogID: d.p.DialogID, DialogUUID: d.p.DialogUUID, Number: d.p.Number,
		Bot: d.s.Flow.Slug, Node: w.Node, Attempt: w.Attempt, URL: b.URL, Variables: d.s.Variables,
		Data: d.s.Collected, Timeout: min(b.Timeout, 30*time.Second), ExpiresAt: w.Until, Wait: b.Wait,
	}
	if !b.Wait {
		call.Timeout = b.Timeout
	}
	if len(b.Headers) > 0 {
		call.Headers = map[string]string{}
		for _, name := range slices.Sorted(maps.Keys(b.Headers)) { // no map ranging in workflow code
			call.Headers[name] = d.render(t, b.Headers[name])
		}
	}
	if p, ok := d.renderValue(t, b.Payload).(map[string]any); ok {
		call.Payload = p
	}
	return call
}

// renderValue renders a templated value: strings are templates.
func (d *dialog) renderValue(t *turn, v *flows.Value) any {
	switch {
	case v == nil:
		return nil
	case v.Template != nil:
		return d.render(t, v.Template)
	case v.Object != nil:
		m := make(map[string]any, len(v.Object.Keys))
		for _, k := range v.Object.Keys {
			m[k] = d.renderValue(t, v.Object.Get(k))
		}
		return m
	case v.List != nil:
		l := make([]any, len(v.List))
		for i, item := range v.List {
			l[i] = d.renderValue(t, item)
		}
		return l
	}
	return v.Any
}

// blockLoop calls the services of blocks that wait, one call at a time,
// outside any update, so the user's reply never waits for a service.
func (d *dialog) blockLoop(ctx workflow.Context) {
	for {
		if err := workflow.Await(ctx, func() bool { w := d.s.Waiting; return w != nil && w.Kind == "block" && !w.Called }); err != nil {
			return
		}
		w := d.s.Waiting
		b := d.flow.Node(w.Node).Config.(*nodes.Block)
		call := d.blockCall(ctx, w, b)
		if w.Tool != nil {
			withArguments(&call, w.Tool.Call.Arguments)
		}
		err := workflow.ExecuteActivity(d.blockContext(ctx, b), ActivityCallBlock, call).Get(ctx, nil)
		if d.s.Waiting != w { // completed, timed out or moved on meanwhile
			continue
		}
		if err == nil {
			w.Called = true
			continue
		}
		d.withTurn(ctx, func(t *turn) {
			if w.Tool != nil { // the model reads the failure, as with any tool
				d.blockToolDone(t, w, fmt.Sprintf("The tool %s failed: %s", w.Tool.Call.Name, RootMessage(err)))
				return
			}
			d.s.Waiting = nil
			if next, ok := d.blockFailed(t, w.Node, b, err); ok {
				d.run(t, next)
			}
		})
		d.flushNow = true // no caller stores this turn
	}
}

// blockFailed follows on_error, or ends the dialog with an error status.
func (d *dialog) blockFailed(t *turn, id string, b *nodes.Block, err error) (string, bool) {
	workflow.GetLogger(t.ctx).Warn("block call failed", "node", id, "error", err)
	if b.OnError != "" {
		return b.OnError, true
	}
	d.fail(t, fmt.Sprintf("The bot stopped at node %q: the block service at %s failed: %s.", id, b.URL, RootMessage(err)))
	return "", false
}

// RootMessage is the innermost message of an activity error: what a user
// can read, without the layers of wrapping Temporal adds.
func RootMessage(err error) string {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			var app *temporal.ApplicationError
			if errors.As(err, &app) {
				return app.Message()
			}
			return err.Error()
		}
		err = next
	}
}

// blockDone saves a block's data and records it as collected data.
func (d *dialog) blockDone(t *turn, id string, b *nodes.Block, data any) {
	if b.Save != "" {
		d.s.Variables[b.Save] = coerce(d.flow.Variable(b.Save).Type, data)
	}
	answer, _ := json.Marshal(data)
	d.collect(t, store.DataItem{Question: id, Type: "block", Answer: string(answer), Variable: b.Save})
}

// blockTimedOut follows on_timeout when the service did not complete.
func (d *dialog) blockTimedOut(t *turn) {
	w := d.s.Waiting
	b := d.flow.Node(w.Node).Config.(*nodes.Block)
	if w.Tool != nil {
		d.blockToolDone(t, w, fmt.Sprintf("The tool %s did not finish within %s.", w.Tool.Call.Name, b.Timeout))
		return
	}
	d.s.Waiting = nil
	if b.OnTimeout != "" {
		d.run(t, b.OnTimeout)
		return
	}
	d.fail(t, fmt.Sprintf("The bot stopped at node %q: the block service did not complete within %s.", w.Node, b.Timeout))
}
