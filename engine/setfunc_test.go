package engine_test

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
)

// funcBot keeps in a variable what an expression gives, which only at run
// time turns out to be a function (now, not now()).
const funcBot = `bot: clock
variables:
  when: { type: any }
  typo: { type: boolean, default: true }
nodes:
  keep:
    kind: set
    assign: { when: "typo ? now : 1" }
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
	if r := e.Do("PUT", "/v1/bots/clock/flow", e.A.Bearer(), funcBot); r.Status != 200 {
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
	said := ""
	for _, m := range view.Messages {
		said += m.Text + "\n"
	}
	if view.Status != "error" || !strings.Contains(said+string(r.Body), "would keep a function") {
		t.Errorf("the dialog: status %q, messages %q, start %s", view.Status, said, r.Body)
	}
}
