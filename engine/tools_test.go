package engine_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
)

// TestToolParametersThatCannotBeJSON: a declared tool whose parameters
// JSON cannot encode (YAML's .inf) stops the dialog saying so, rather than
// offering the model the tool without its parameters.
func TestToolParametersThatCannotBeJSON(t *testing.T) {
	model := llmtest.New(t)
	e := servertest.NewWith(t, servertest.Options{LLM: llm.NewOpenAI(model.URL(), "")}, native.Dialect)
	bot := `bot: calc
settings:
  ai:
    model: { id: test-model }
    tools: { calc: auto }
  tools:
    calc:
      description: Calculate.
      url: https://calc.example.com/
      parameters: { type: object, properties: { x: { type: number, maximum: .inf } } }
`
	if r := e.Do("PUT", "/v1/bots/calc/flow", e.A.Bearer(), bot); r.Status != http.StatusOK {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	model.Reply("I can calculate.")
	var created struct{ ID string }
	e.Do("POST", "/v1/bots/calc/dialogs", e.A.Bearer(), nil).JSON(t, &created)
	var turn struct {
		Messages []struct{ Text string }
		Status   string
	}
	e.Do("POST", "/v1/dialogs/"+created.ID+"/messages", e.A.Bearer(), map[string]any{"text": "2+2?"}).JSON(t, &turn)
	want := `The bot stopped at node "chat": the parameters of tool "calc" cannot be sent to the model as JSON (json: unsupported value: +Inf). Fix the flow and publish it again.`
	if turn.Status != store.StatusError || len(turn.Messages) != 1 || turn.Messages[0].Text != want {
		t.Errorf("turn: %+v\nwant the message %q", turn, want)
	}
	if reqs := model.Requests(); len(reqs) != 0 {
		t.Errorf("the model was asked with tools %s", strings.Join(func() []string {
			var out []string
			for _, tool := range reqs[0].Tools {
				out = append(out, tool.Function.Name+string(tool.Function.Parameters))
			}
			return out
		}(), ", "))
	}
}
