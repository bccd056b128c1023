package convtest

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/testsuite"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/store"
)

// player drives one dialog through its steps and checks expectations.
type player struct {
	ctx      context.Context
	db       store.Store
	env      *testsuite.TestWorkflowEnvironment
	dialog   *store.Dialog
	test     string
	seen     int64 // the last message seq already checked
	updates  int
	done     int // steps checked
	acted    int // steps acted on
	failures []Failure
	refused  map[*Step]error // actions the dialog refused
	svc      *services
	inflight int // updates sent and not answered yet
	// node is where the dialog was when last checked (its waiting node,
	// else the node it ran last): the node failures concern.
	node     string
	deadline time.Time // zero: no limit
	timeout  time.Duration
	stopped  bool // the deadline passed and the test was stopped
}

// maxWaits bounds how long (in test time, pollEvery each) a check waits
// for a slow turn, like a block call that is retried.
const maxWaits = 6000

// pollEvery is how often, in test time, a check looks again at a step
// whose turn is not done.
const pollEvery = 100 * time.Millisecond

// checkWhenDone checks a step once its updates have answered, the services
// called meanwhile have acted, and the workflow is idle; the last step then
// ends the dialog's workflow. It polls at least once, to learn whether the
// workflow is idle.
func (p *player) checkWhenDone(st *Step, last bool, waited int, polled time.Time) {
	if p.stopped {
		return
	}
	if !p.deadline.IsZero() && time.Now().After(p.deadline) {
		p.stopped = true
		p.failures = append(p.failures, Failure{Test: p.test, Line: st.Line, Step: st.index, Node: p.node,
			Message: fmt.Sprintf("the test was stopped: it ran longer than %s", p.timeout)})
		p.env.CancelWorkflow()
		return
	}
	if p.env.IsWorkflowCompleted() {
		waited = maxWaits // nothing more will happen
	}
	served := p.serve(st) // a service called after the step's serve, by a slow activity
	busy := waited == 0 || served || p.inflight > 0 || !p.settled() || !idle(polled)
	if busy && waited < maxWaits {
		now := time.Now()
		p.env.RegisterDelayedCallback(func() { p.checkWhenDone(st, last, waited+1, now) }, pollEvery)
		return
	}
	p.check(st)
	p.done++
	if last {
		p.env.CancelWorkflow()
	}
}

// idle reports whether the poll registered at wall time polled fired
// sooner than pollEvery. The environment skips test time only while no
// activity runs; while one runs (a block service being called), it fires
// timers by the wall clock, so a late poll says work was still going on.
func idle(polled time.Time) bool { return time.Since(polled) < pollEvery }

// settled reports whether the workflow has stored all it produced (work
// off the update's path, like titling a dialog, may still be running).
func (p *player) settled() bool {
	if p.env.IsWorkflowCompleted() {
		return true
	}
	v, err := p.env.QueryWorkflow(engine.QueryState)
	if err != nil {
		return true
	}
	var snap engine.Snapshot
	return v.Get(&snap) == nil && snap.Settled
}

// serve plays what block services do after they were called, and reports
// whether they did anything.
func (p *player) serve(st *Step) bool {
	queued := p.svc.take()
	for _, a := range queued {
		ta := a.arg.(tokenAction)
		tok, err := p.db.BlockTokenByToken(p.ctx, ta.token)
		if err != nil {
			p.failf(st, "a block service's token is unknown to the store: %v", err)
			continue
		}
		switch a.name {
		case engine.UpdateBlockMessage:
			p.update(st, a.name, engine.BlockMessageInput{Node: tok.Node, Attempt: tok.Attempt, Text: ta.text})
		case engine.UpdateBlockComplete:
			p.update(st, a.name, engine.BlockCompleteInput{Node: tok.Node, Attempt: tok.Attempt, Data: ta.data})
		}
	}
	return len(queued) > 0
}

// finish checks the steps the environment never reached because the
// workflow ended first: their expectations still apply to what was stored,
// but an action after the end is a failure.
func (p *player) finish(steps []Step) {
	if p.stopped {
		return
	}
	for i := p.done; i < len(steps); i++ {
		st := &steps[i]
		if i >= p.acted && hasAction(st) {
			p.failf(st, "the dialog ended before this step could run")
		}
		p.check(st)
	}
}

func hasAction(st *Step) bool {
	return st.User != nil || st.Operator != nil || st.Command != "" || st.Mode != "" || st.Start
}

func (p *player) failf(st *Step, format string, args ...any) {
	p.failures = append(p.failures, Failure{Test: p.test, Line: st.Line, Step: st.index, Node: p.node, Message: fmt.Sprintf(format, args...)})
}

// mismatch fails the step for a value that is got where want was
// expected; node is the node concerned, "" for where the dialog is.
func (p *player) mismatch(st *Step, node string, got, want any, format string, args ...any) {
	p.failures = append(p.failures, Failure{Test: p.test, Line: st.Line, Step: st.index, Node: cmp.Or(node, p.node),
		Message: fmt.Sprintf(format, args...), Expected: want, Got: got})
}

// act performs the step's action as an update.
func (p *player) act(st *Step) {
	p.acted++
	switch {
	case st.User != nil:
		p.update(st, engine.UpdateMessage, engine.MessageInput{Text: *st.User})
	case st.Operator != nil:
		p.operator(st)
	case st.Command != "":
		p.update(st, engine.UpdateCommand, engine.CommandInput{Command: st.Command})
	case st.Mode != "":
		p.update(st, engine.UpdateMode, engine.ModeInput{Mode: st.Mode})
	case st.Start:
		p.update(st, engine.UpdateStart)
	}
}

func (p *player) operator(st *Step) {
	op := st.Operator
	switch op.Action {
	case "take":
		p.update(st, engine.UpdateMode, engine.ModeInput{Mode: store.ModeOperator, Operator: op.Name})
	case "release":
		p.update(st, engine.UpdateMode, engine.ModeInput{Mode: store.ModeAuto, Operator: op.Name})
	case "message":
		p.update(st, engine.UpdateOperatorMessage, engine.OperatorMessageInput{Operator: op.Name, Text: op.Text})
	default:
		p.failf(st, "operator action must be take, release or message, got %q", op.Action)
	}
}

func (p *player) update(st *Step, name string, args ...any) {
	p.updates++
	p.inflight++
	id := fmt.Sprintf("step-%d", p.updates)
	p.env.UpdateWorkflow(name, id, &testsuite.TestUpdateCallback{
		OnReject: func(err error) { p.inflight--; p.refuse(st, name, err) },
		OnAccept: func() {},
		OnComplete: func(_ any, err error) {
			p.inflight--
			if err != nil {
				p.refuse(st, name, err)
			}
		},
	}, args...)
}

// refuse records an action the dialog refused; it fails the test unless
// the step expects that error.
func (p *player) refuse(st *Step, name string, err error) {
	if st.Expect != nil && st.Expect.Error != "" && strings.Contains(err.Error(), st.Expect.Error) {
		if p.refused == nil {
			p.refused = map[*Step]error{}
		}
		p.refused[st] = err
		return
	}
	p.failf(st, "%s was refused: %v", name, err)
}

// check compares what the dialog said and became with the step's Expect.
func (p *player) check(st *Step) {
	msgs, err := p.db.Messages(p.ctx, p.dialog.ID)
	if err != nil {
		p.failf(st, "reading messages: %v", err)
		return
	}
	var said []store.Message
	for _, m := range msgs {
		if m.Seq > p.seen && m.Role != store.MessageUser {
			said = append(said, m)
		}
		p.seen = max(p.seen, m.Seq)
	}
	snap, snapErr := p.snapshot()
	if snapErr == nil {
		p.node = where(snap)
	}
	e := st.Expect
	if e == nil {
		return
	}
	if e.Error != "" && p.refused[st] == nil {
		p.failf(st, "the action was accepted, want it refused with %q", e.Error)
	}
	if e.Says != nil {
		p.checkSays(st, said)
	}
	if e.Buttons != nil {
		p.checkButtons(st, said)
	}
	if e.Sources != nil {
		p.checkSources(st, said)
	}
	if snapErr != nil {
		p.failf(st, "reading the dialog's state: %v", snapErr)
		return
	}
	p.checkState(st, snap)
}

// where is the node a dialog is at: the one it waits at, else the last
// it ran.
func where(snap engine.Snapshot) string {
	if snap.Waiting != nil {
		return snap.Waiting.Node
	}
	return snap.State.Node
}

// lastNode is the node that sent the last of msgs, "" for none.
func lastNode(msgs []store.Message) string {
	if len(msgs) == 0 {
		return ""
	}
	return msgs[len(msgs)-1].Node
}

// checkSources checks that the best sources of the last bot message are
// the expected documents, in order; an empty list wants no sources.
func (p *player) checkSources(st *Step, said []store.Message) {
	got := []string{}
	if len(said) > 0 {
		for _, src := range said[len(said)-1].Sources {
			got = append(got, src.Filename)
		}
	}
	want := st.Expect.Sources
	if len(got) < len(want) || (len(want) == 0 && len(got) > 0) || !slices.Equal(got[:len(want)], want) {
		p.mismatch(st, lastNode(said), got, want, "the answer's sources are %s, want %s", quoteAll(got), quoteAll(st.Expect.Sources))
	}
}

func (p *player) checkSays(st *Step, said []store.Message) {
	texts := make([]string, len(said))
	for i, m := range said {
		texts[i] = m.Text
	}
	want := st.Expect.Says
	differs := -1 // the first message that is not as expected
	for i := 0; differs < 0 && i < max(len(want), len(texts)); i++ {
		if i >= len(want) || i >= len(texts) || !matches(want[i], texts[i]) {
			differs = i
		}
	}
	if differs >= 0 {
		node := ""
		if differs < len(said) {
			node = said[differs].Node
		}
		p.mismatch(st, node, texts, want, "the bot said %s, want %s", quoteAll(texts), quoteAll(want))
	}
}

func (p *player) checkButtons(st *Step, said []store.Message) {
	got := []string{}
	if len(said) > 0 && said[len(said)-1].Buttons != nil {
		got = said[len(said)-1].Buttons
	}
	if strings.Join(got, "\x00") != strings.Join(st.Expect.Buttons, "\x00") || len(got) != len(st.Expect.Buttons) {
		p.mismatch(st, lastNode(said), got, st.Expect.Buttons, "buttons are %s, want %s", quoteAll(got), quoteAll(st.Expect.Buttons))
	}
}

// matches compares a text with an expected one; /.../ is a regular expression.
func matches(want, got string) bool {
	if len(want) > 1 && strings.HasPrefix(want, "/") && strings.HasSuffix(want, "/") {
		re, err := regexp.Compile(want[1 : len(want)-1])
		return err == nil && re.MatchString(got)
	}
	return want == got
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// checkState compares status, mode, waiting node, pending count, variables
// and collected data.
func (p *player) checkState(st *Step, snap engine.Snapshot) {
	e := st.Expect
	s := snap.State
	if e.Status != "" && s.Status != e.Status {
		p.mismatch(st, "", s.Status, e.Status, "status is %q, want %q", s.Status, e.Status)
	}
	if e.Mode != "" && s.Mode != e.Mode {
		p.mismatch(st, "", s.Mode, e.Mode, "mode is %q, want %q", s.Mode, e.Mode)
	}
	if e.Waiting != nil {
		got := ""
		if snap.Waiting != nil {
			got = snap.Waiting.Node
		}
		if got != *e.Waiting {
			p.mismatch(st, "", got, *e.Waiting, "waiting at %q, want %q", got, *e.Waiting)
		}
	}
	if e.Pending != nil && s.PendingCount != *e.Pending {
		p.mismatch(st, "", s.PendingCount, *e.Pending, "pending count is %d, want %d", s.PendingCount, *e.Pending)
	}
	for name, want := range e.Variables {
		got := s.Variables[name]
		if same, err := sameJSON(got, want); err != nil {
			p.failf(st, "variable %s cannot be compared: %v", name, err)
		} else if !same {
			p.mismatch(st, "", got, want, "variable %s is %s, want %s", name, asJSON(got), asJSON(want))
		}
	}
	if e.Data != nil {
		p.checkData(st)
	}
	if e.Title != nil && s.Title != *e.Title {
		p.mismatch(st, "", s.Title, *e.Title, "title is %q, want %q", s.Title, *e.Title)
	}
	if e.Memory != "" && !matches(e.Memory, s.WorkingMemory) {
		p.mismatch(st, "", s.WorkingMemory, e.Memory, "working memory is %q, want %q", s.WorkingMemory, e.Memory)
	}
}

// snapshot asks the workflow; once it has ended, the store has its last state.
func (p *player) snapshot() (engine.Snapshot, error) {
	if !p.env.IsWorkflowCompleted() {
		v, err := p.env.QueryWorkflow(engine.QueryState)
		if err == nil {
			var snap engine.Snapshot
			return snap, v.Get(&snap)
		}
	}
	d, err := p.db.Dialog(p.ctx, p.dialog.ProjectID, p.dialog.UUID)
	if err != nil {
		return engine.Snapshot{}, err
	}
	return engine.Snapshot{State: d.DialogState}, nil
}

func (p *player) checkData(st *Step) {
	items, err := p.db.Data(p.ctx, p.dialog.ID)
	if err != nil {
		p.failf(st, "reading collected data: %v", err)
		return
	}
	got := make([]map[string]any, len(items))
	for i, it := range items {
		got[i] = map[string]any{"question": it.Question, "type": it.Type, "answer": it.Answer, "variable": it.Variable}
	}
	ok := len(got) == len(st.Expect.Data)
	for i := 0; ok && i < len(got); i++ {
		for _, k := range slices.Sorted(maps.Keys(st.Expect.Data[i])) {
			same, err := sameJSON(got[i][k], st.Expect.Data[i][k])
			if err != nil {
				p.failf(st, "collected data item %d's %s cannot be compared: %v", i+1, k, err)
				return
			}
			ok = ok && same
		}
	}
	if !ok {
		p.mismatch(st, "", got, st.Expect.Data, "collected data is %s, want %s", asJSON(got), asJSON(st.Expect.Data))
	}
}

// sameJSON compares values as JSON sees them, so 3 equals 3.0. A value
// that JSON cannot encode (a YAML .nan or .inf) is an error: it would
// otherwise read as null, and equal another such value or null.
func sameJSON(a, b any) (bool, error) {
	x, err := asJSONValue(a)
	if err != nil {
		return false, err
	}
	y, err := asJSONValue(b)
	if err != nil {
		return false, err
	}
	return reflect.DeepEqual(x, y), nil
}

// asJSONValue is v as decoded from its JSON encoding.
func asJSONValue(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%v cannot be encoded as JSON: %w", v, err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("decoding %s: %w", b, err)
	}
	return out, nil
}

func asJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
