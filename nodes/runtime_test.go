package nodes

import (
	"os"
	"testing"
	"time"

	"github.com/parleyhq/parley/flows"
)

func loadExample(t *testing.T, name string) *flows.Flow {
	t.Helper()
	path := "../examples/bots/" + name
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	flow, problems := Load(path, src)
	if len(problems) > 0 {
		t.Fatalf("%s has problems:\n%v", path, problems)
	}
	return flow
}

// TestCompiledExpressionsRun checks that what the loader compiled runs
// against a flows.Scope, the way the engine will run it.
func TestCompiledExpressionsRun(t *testing.T) {
	flow := loadExample(t, "support.yaml")
	scope := flows.Scope{
		Variables: map[string]any{"name": "Ann", "topic": "Delivery", "order_id": "ab123456", "shipment": map[string]any{"status": "in transit"}, "more": false, "attempts": 4},
		Dialog:    flows.DialogInfo{ID: "d1", Number: 7, Bot: "support"},
		Now:       time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC),
	}
	env := scope.Env()

	greet := flow.Node("greet").Config.(*Message)
	if got, err := greet.Text.Render(env); err != nil || got != "Hello, Ann! I'm the ACME support bot." {
		t.Errorf("greet = %q, %v", got, err)
	}
	tracked := flow.Node("tracked").Config.(*Message)
	if got, err := tracked.Text.Render(env); err != nil || got != "Order AB123456: in transit." {
		t.Errorf("tracked = %q, %v", got, err)
	}
	route := flow.Node("route").Config.(*Branch)
	if got := firstMatch(t, route.Next, env); got != "ask_order" {
		t.Errorf("route goes to %q, want ask_order", got)
	}
	loop := flow.Node("count_loop").Config.(*Set)
	v, err := loop.Assign[0].Value.Eval(env)
	if err != nil || v != 5 {
		t.Errorf("attempts + 1 = %v, %v; want 5", v, err)
	}
	if got := firstMatch(t, loop.Next, env); got != "human" {
		t.Errorf("count_loop goes to %q, want human", got)
	}
}

func TestWaitUntilUsesScopeTime(t *testing.T) {
	src := `bot: w
nodes:
  pause:
    kind: wait
    until: now() + duration("72h")
    next: done
  done:
    kind: end
    text: "started {{ dialog.number }} at {{ now().Year() }}"
`
	flow, problems := Load("w.yaml", []byte(src))
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	env := flows.Scope{Now: now, Dialog: flows.DialogInfo{Number: 318}}.Env()
	got, err := flow.Node("pause").Config.(*Wait).Until.Eval(env)
	if err != nil || got != now.Add(72*time.Hour) {
		t.Errorf("until = %v, %v; want %v", got, err, now.Add(72*time.Hour))
	}
	text, err := flow.Node("done").Config.(*End).Text.Render(env)
	if err != nil || text != "started 318 at 2026" {
		t.Errorf("end text = %q, %v", text, err)
	}
}

func firstMatch(t *testing.T, e *flows.Edge, env map[string]any) string {
	t.Helper()
	for _, b := range e.Branches {
		if b.If == nil {
			return b.To
		}
		ok, err := b.If.EvalBool(env)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			return b.To
		}
	}
	return ""
}
