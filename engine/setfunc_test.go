package engine_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
)

// funcBot keeps in a variable what an expression gives, which only at run
// time turns out to be a function (now, not now()), alone or in a list.
const funcBot = `bot: clock
variables:
  when: { type: any }
  typo: { type: boolean, default: true }
nodes:
  keep:
    kind: set
    assign: { when: "typo ? %s : 1" }
    next: ask
  ask:
    kind: question
    text: Hi
`

// TestSetOfAFunctionStopsTheBot: a set whose value is a function stops the
// dialog saying why, instead of failing its workflow (a dialog's
// variables are stored as JSON) and the API answering 500.
func TestSetOfAFunctionStopsTheBot(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	for _, value := range []string{"now", "[1, now]"} {
		status, said := runBot(t, e, fmt.Sprintf(funcBot, value))
		if status != "error" || !strings.Contains(said, "would keep a function") {
			t.Errorf("set to %s: status %q, said %q", value, status, said)
		}
	}
}

// TestExpressionMemoryBounded: an expression that would build terabytes
// (doubling a text 40 times) stops its dialog saying what went wrong,
// and the worker, which serves every project, goes on.
func TestExpressionMemoryBounded(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	status, said := runBot(t, e, `bot: clock
variables:
  big: { type: string }
nodes:
  grow:
    kind: set
    assign: { big: 'reduce(1..40, #acc + #acc, "x")' }
    next: ask
  ask:
    kind: question
    text: Hi
`)
	if status != "error" || !strings.Contains(said, "over 1 MiB") {
		t.Errorf("status %q, said %q", status, said)
	}
	if status, said := runBot(t, e, fmt.Sprintf(funcBot, "1")); status == "error" {
		t.Errorf("the next dialog: %q", said)
	}
}

// runBot publishes src as the bot clock, starts a dialog and returns its
// status and everything said in it (and the start's answer).
func runBot(t *testing.T, e *servertest.Env, src string) (status, said string) {
	t.Helper()
	if r := e.Do("PUT", "/v1/bots/clock/flow", e.A.Bearer(), src); r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	r := e.Do("POST", "/v1/bots/clock/dialogs", e.A.Bearer(), nil)
	var created struct{ ID, Status string }
	r.JSON(t, &created)
	if r.Status >= 500 {
		t.Fatalf("start: %d %s", r.Status, r.Body)
	}
	var view struct {
		Status   string
		Messages []struct{ Role, Text string }
	}
	e.Do("GET", "/v1/dialogs/"+created.ID, e.A.Bearer(), nil).JSON(t, &view)
	said = string(r.Body)
	for _, m := range view.Messages {
		said += "\n" + m.Text
	}
	return view.Status, said
}
