package engine

import (
	"fmt"
	"path"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/parleyhq/parley/flows"
	"github.com/parleyhq/parley/nodes"
	"github.com/parleyhq/parley/store"
)

// turn collects what one update or timer produced.
type turn struct {
	ctx   workflow.Context
	msgs  []store.Message
	data  []store.DataItem
	steps int
	// sources are knowledge chunks tools found this turn, kept on the
	// model's next answer.
	sources []store.Source
}

// start runs a created dialog from the flow's start node.
// A bot without nodes is one conversing llm node: it waits for the user.
func (d *dialog) start(t *turn) {
	d.s.Status = store.StatusInProcess
	if len(d.flow.Nodes) == 0 {
		d.s.Waiting = &Waiting{Node: chatNode, Kind: "llm", Since: workflow.Now(t.ctx)}
		return
	}
	d.run(t, d.flow.Start)
}

// run executes nodes from id until one pauses or the dialog ends. A node
// without a next ends the dialog.
func (d *dialog) run(t *turn, id string) {
	for {
		if id == "" {
			d.complete()
			return
		}
		if t.steps++; t.steps > d.settings.StepLimit {
			d.fail(t, fmt.Sprintf("The bot stopped at node %q: more than %d steps in one turn. The flow probably loops without asking anything.", id, d.settings.StepLimit))
			return
		}
		n := d.flow.Node(id)
		if n == nil {
			d.fail(t, fmt.Sprintf("The bot stopped: node %q does not exist in version %d of %q.", id, d.s.Flow.Version, d.s.Flow.Slug))
			return
		}
		d.s.Node = id
		var ok bool
		if id, ok = d.step(t, n); !ok {
			return
		}
	}
}

// step runs one node. It returns the next node, or false when the turn
// stops here (the node pauses, ends the dialog or failed).
func (d *dialog) step(t *turn, n *flows.Node) (string, bool) {
	switch c := n.Config.(type) {
	case *nodes.Message:
		d.sendMessage(t, n.ID, c)
		return d.follow(t, c.Next)
	case *nodes.Question:
		d.ask(t, n.ID, c)
		return "", false
	case *nodes.Branch:
		return d.follow(t, c.Next)
	case *nodes.Set:
		if !d.assign(t, c) {
			return "", false
		}
		return d.follow(t, c.Next)
	case *nodes.Goto:
		return d.jump(t, c)
	case *nodes.Wait:
		d.startWait(t, n.ID, c)
		return "", false
	case *nodes.Handoff:
		d.handoff(t, n.ID, c)
		return "", false
	case *nodes.Block:
		return d.block(t, n.ID, c)
	case *nodes.LLM:
		return d.llm(t, n.ID, c)
	case *nodes.End:
		if c.Text != nil {
			d.say(t, store.MessageAssistant, d.render(t, c.Text), nil, n.ID)
		}
		d.complete()
		return "", false
	}
	d.fail(t, fmt.Sprintf("The bot stopped at node %q: %s nodes are not supported by this version of Parley yet.", n.ID, n.Kind))
	return "", false
}

func (d *dialog) complete() {
	d.s.Status = store.StatusCompleted
	d.s.Waiting = nil
}

// fail ends the dialog with the error status and a system message that
// says why; the flow cannot continue.
func (d *dialog) fail(t *turn, why string) {
	d.say(t, store.MessageSystem, why, nil, d.s.Node)
	d.s.Status = store.StatusError
	d.s.Waiting = nil
}

// now is the workflow's time in UTC, to the millisecond the store keeps.
func now(ctx workflow.Context) time.Time {
	return workflow.Now(ctx).UTC().Truncate(time.Millisecond)
}

// say sends a message from the bot (or the system).
func (d *dialog) say(t *turn, role, text string, buttons []string, node string) {
	d.record(t, store.Message{Role: role, Text: text, Buttons: buttons, Node: node})
}

// record numbers a message and adds it to the turn and the outbox.
func (d *dialog) record(t *turn, m store.Message) {
	d.s.Seq++
	m.ID, m.DialogID, m.Seq = fmt.Sprintf("%s-%d", d.p.DialogUUID, d.s.Seq), d.p.DialogID, d.s.Seq
	m.CreatedAt = now(t.ctx)
	t.msgs = append(t.msgs, m)
}

// collect records a piece of collected data.
func (d *dialog) collect(t *turn, item store.DataItem) {
	d.s.Seq++
	item.DialogID, item.Seq, item.CreatedAt = d.p.DialogID, d.s.Seq, now(t.ctx)
	t.data = append(t.data, item)
	d.s.Collected = append(d.s.Collected, item)
}

func (d *dialog) sendMessage(t *turn, id string, c *nodes.Message) {
	text := ""
	if c.Text != nil {
		text = d.render(t, c.Text)
	}
	d.record(t, store.Message{Role: store.MessageAssistant, Text: text, Buttons: d.renderAll(t, c.Buttons), Node: id,
		Files: d.linkedFiles(t, c.Attachments)})
}

// linkedFiles are a message node's attachments, their URLs rendered; one
// that renders empty is left out. The name defaults to the URL's last
// segment.
func (d *dialog) linkedFiles(t *turn, as []nodes.Attachment) []store.Attachment {
	var out []store.Attachment
	for _, a := range as {
		if a.URL == nil {
			continue
		}
		url := strings.TrimSpace(d.render(t, a.URL))
		if url == "" {
			continue
		}
		name := a.Name
		if name == "" {
			name = path.Base(strings.SplitN(strings.SplitN(url, "?", 2)[0], "#", 2)[0])
		}
		kind := a.Type
		if kind == "" {
			kind = "file"
		}
		out = append(out, store.Attachment{Name: name, URL: url, Kind: kind})
	}
	return out
}

// scope is what expressions see now.
func (d *dialog) scope(t *turn) map[string]any {
	return flows.Scope{
		Variables: d.s.Variables, Input: d.s.Input, User: d.p.User, Now: workflow.Now(t.ctx),
		Dialog: flows.DialogInfo{ID: d.p.DialogUUID, Number: int(d.p.Number), Bot: d.s.Flow.Slug,
			Channel: d.p.Channel, Source: d.p.Source, StartedAt: d.s.StartedAt},
	}.Env()
}

// render fills a template; an expression that fails at run time (a nil
// object field, say) renders as nothing rather than stopping the dialog.
func (d *dialog) render(t *turn, tpl *flows.Template) string {
	out, err := tpl.Render(d.scope(t))
	if err != nil {
		workflow.GetLogger(t.ctx).Warn("rendering template", "node", d.s.Node, "error", err)
	}
	return out
}

func (d *dialog) renderAll(t *turn, tpls []*flows.Template) []string {
	if len(tpls) == 0 {
		return nil
	}
	out := make([]string, len(tpls))
	for i, tpl := range tpls {
		out[i] = d.render(t, tpl)
	}
	return out
}

// follow picks the first branch of an edge whose condition holds. No edge,
// or no branch that holds, ends the dialog ("" with true).
func (d *dialog) follow(t *turn, e *flows.Edge) (string, bool) {
	if e == nil {
		return "", true
	}
	env := d.scope(t)
	for _, b := range e.Branches {
		if b.If == nil {
			return b.To, true
		}
		ok, err := b.If.EvalBool(env)
		if err != nil {
			d.fail(t, fmt.Sprintf("The bot stopped at node %q: %v.", d.s.Node, err))
			return "", false
		}
		if ok {
			return b.To, true
		}
	}
	return "", true
}

func (d *dialog) assign(t *turn, c *nodes.Set) bool {
	for _, a := range c.Assign {
		v, err := a.Value.Eval(d.scope(t))
		if err == nil && flows.HoldsFunction(v) {
			// Typed only now (ok ? now : 1, or [now]): the dialog's variables
			// are stored as JSON, and a function would fail the workflow.
			err = fmt.Errorf("%q would keep a function; call it (now(), not now)", a.Variable)
		}
		if err != nil {
			d.fail(t, fmt.Sprintf("The bot stopped at node %q: %v.", d.s.Node, err))
			return false
		}
		d.s.Variables[a.Variable] = coerce(d.flow.Variable(a.Variable).Type, v)
	}
	return true
}

// jump follows a goto: to a node of this bot, or into another bot.
func (d *dialog) jump(t *turn, c *nodes.Goto) (string, bool) {
	if c.To != "" {
		return c.To, true
	}
	ref, err := d.fetchFlow(t.ctx, c.Bot)
	if err != nil {
		d.fail(t, fmt.Sprintf("The bot stopped at node %q: %v.", d.s.Node, err))
		return "", false
	}
	if !d.transfer(t, ref) {
		return "", false
	}
	return d.flow.Start, true
}

// fetchFlow loads the current version of another bot of the project.
func (d *dialog) fetchFlow(ctx workflow.Context, slug string) (FlowRef, error) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 5, NonRetryableErrorTypes: []string{ErrNotFound}},
	})
	var ref FlowRef
	err := workflow.ExecuteActivity(actx, ActivityLoadFlow, LoadFlowInput{ProjectID: d.p.ProjectID, Slug: slug}).Get(ctx, &ref)
	if err != nil && IsErrorType(err, ErrNotFound) {
		return ref, rejectf(ErrNotFound, "there is no bot %q in this project", slug)
	}
	return ref, err
}

// transfer moves the dialog to another bot's flow, keeping its variables
// and adding the new flow's defaults.
func (d *dialog) transfer(t *turn, ref FlowRef) bool {
	flow, err := LoadFlow(ref)
	if err != nil {
		d.fail(t, fmt.Sprintf("The bot stopped: version %d of %q does not load: %v.", ref.Version, ref.Slug, err))
		return false
	}
	d.flow, d.s.Flow = flow, ref
	d.s.Waiting, d.s.ResumeNode = nil, ""
	d.s.Variables = initVariables(flow, d.s.Variables)
	return true
}
