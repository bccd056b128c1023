package engine_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
)

const counterBot = `bot: counter
variables:
  n: { type: integer, default: 0 }
nodes:
  ask:
    kind: question
    text: "Say something ({{ n }})"
    next: count
  count:
    kind: set
    assign: { n: n + 1 }
    next: ask
`

// TestContinueAsNewKeepsTheDialog runs a dialog across several workflow
// runs: variables, the transcript and remembered client message ids
// survive continue-as-new.
func TestContinueAsNewKeepsTheDialog(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	e.Dialogs.Settings = engine.Settings{UpdatesPerRun: 3}
	if r := e.Do("PUT", "/v1/bots/counter/flow", e.A.Bearer(), counterBot); r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	var created struct{ ID string }
	e.Do("POST", "/v1/bots/counter/dialogs", e.A.Bearer(), nil).JSON(t, &created)
	var last struct{ Messages []struct{ Text string } }
	for i := 1; i <= 10; i++ {
		body := map[string]any{"text": fmt.Sprint(i), "client_message_id": fmt.Sprint("m", i)}
		r := e.Do("POST", "/v1/dialogs/"+created.ID+"/messages", e.A.Bearer(), body)
		if r.Status != 200 {
			t.Fatalf("message %d: %d %s", i, r.Status, r.Body)
		}
		r.JSON(t, &last)
	}
	if len(last.Messages) != 1 || last.Messages[0].Text != "Say something (10)" {
		t.Fatalf("after 10 turns: %+v", last)
	}
	var retried struct{ Messages []struct{ Text string } }
	e.Do("POST", "/v1/dialogs/"+created.ID+"/messages", e.A.Bearer(), map[string]any{"text": "10", "client_message_id": "m10"}).JSON(t, &retried)
	if len(retried.Messages) != 1 || retried.Messages[0].Text != "Say something (10)" {
		t.Errorf("a retried message after continue-as-new ran a new turn: %+v", retried)
	}
	if runs := workflowRuns(t, e, engine.WorkflowID(created.ID), 3); runs < 3 {
		t.Errorf("the dialog ran in %d workflow runs, want at least 3 (11 updates, about 3 per run)", runs)
	}
	var view struct {
		Variables map[string]any
		Messages  []struct{ Role, Text string }
	}
	e.Do("GET", "/v1/dialogs/"+created.ID, e.A.Bearer(), nil).JSON(t, &view)
	var user []string
	for _, m := range view.Messages {
		if m.Role == "user" {
			user = append(user, m.Text)
		}
	}
	if view.Variables["n"] != float64(10) || strings.Join(user, ",") != "1,2,3,4,5,6,7,8,9,10" {
		t.Errorf("the dialog after continue-as-new: n=%v, user messages %v", view.Variables["n"], user)
	}
}

// workflowRuns counts the runs of a workflow id, waiting (boundedly) for
// visibility, which lags behind, to show at least want of them.
func workflowRuns(t *testing.T, e *servertest.Env, id string, want int) int {
	t.Helper()
	runs := 0
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && runs < want; time.Sleep(100 * time.Millisecond) {
		resp, err := e.Temporal.ListWorkflow(t.Context(), &workflowservice.ListWorkflowExecutionsRequest{Query: fmt.Sprintf("WorkflowId = '%s'", id)})
		if err != nil {
			t.Fatal(err)
		}
		runs = len(resp.Executions)
	}
	return runs
}
