package botone_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/server/botone"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
)

const reserveBot = `bot: shop
settings:
  ai:
    model: { id: test-model }
    tools: { reserve: auto }
  tools:
    reserve:
      description: Reserve items of a product; the warehouse confirms.
      parameters: { type: object, properties: { sku: { type: string }, count: { type: integer } } }
      block: warehouse
nodes:
  chat:
    kind: llm
    converse: true
  warehouse:
    kind: block
    url: %s/reserve
    timeout: 10m
`

// TestWaitingBlockTool: a model's call of a tool backed by a block that
// waits reaches the block's service with its arguments and a token; the
// dialog waits at the block (the user's messages meanwhile are kept, not
// answered) until the service completes through the Vertex API, and the
// model then reads the completed data as the tool's result.
func TestWaitingBlockTool(t *testing.T) {
	model := llmtest.New(t)
	e := servertest.NewWith(t, servertest.Options{LLM: llm.NewOpenAI(model.URL(), "")}, native.Dialect, botone.Dialect)
	svc := newBlockService(t, `{"accepted": true}`)
	if r := e.Do("PUT", "/v1/bots/shop/flow", e.A.Bearer(), fmt.Sprintf(reserveBot, svc.URL)); r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	model.ReplyToolCall("reserve", `{"sku": "P-1", "count": 2}`)
	model.Reply("Two P-1 are reserved for you.")
	var created struct{ ID string }
	e.Do("POST", "/v1/bots/shop/dialogs", e.A.Bearer(), nil).JSON(t, &created)
	e.Do("POST", "/v1/dialogs/"+created.ID+"/messages", e.A.Bearer(), map[string]any{"text": "Reserve two P-1, please."})

	body := svc.next(t)
	token, _ := body["token"].(string)
	args, _ := body["arguments"].(map[string]any)
	if body["node"] != "warehouse" || len(token) < 40 || args["sku"] != "P-1" || args["count"] != float64(2) {
		t.Fatalf("the service got %v", body)
	}
	if w := waiting(t, e, created.ID); w.Node != "warehouse" || w.Kind != "block" {
		t.Errorf("while the service works the dialog waits at %+v", w)
	}
	e.Do("POST", "/v1/dialogs/"+created.ID+"/messages", e.A.Bearer(), map[string]any{"text": "Is it done?"})

	if r := e.Do("POST", "/api/vertex/v1/dialog/send_message", "", map[string]any{"token": token, "text": "Checking the warehouse..."}); r.Status != 200 {
		t.Fatalf("send_message: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", "/api/vertex/v1/complete", "", map[string]any{"token": token, "data": map[string]any{"reserved": 2}}); r.Status != http.StatusNoContent {
		t.Fatalf("complete: %d %s", r.Status, r.Body)
	}
	var view dialogView
	e.Do("GET", "/v1/dialogs/"+created.ID, e.A.Bearer(), nil).JSON(t, &view)
	want := "user:Reserve two P-1, please. | user:Is it done? | assistant:Checking the warehouse... | assistant:Two P-1 are reserved for you."
	if view.Status != "in-process" || view.transcript() != want {
		t.Errorf("dialog: %s %s", view.Status, view.transcript())
	}
	if w := waiting(t, e, created.ID); w.Node != "chat" || w.Kind != "llm" {
		t.Errorf("after the answer the dialog waits at %+v, want the llm node", w)
	}

	requests := model.Requests()
	if len(requests) != 2 {
		t.Fatalf("the model was asked %d times, want 2", len(requests))
	}
	msgs := requests[1].Messages
	last := msgs[len(msgs)-1]
	call := msgs[len(msgs)-2]
	if last.Role != "tool" || last.Content != `{"reserved":2}` || len(call.ToolCalls) != 1 || last.ToolCallID != call.ToolCalls[0].ID {
		t.Errorf("the model's second request ends with %+v after %+v", last, call)
	}
	if r := e.Do("POST", "/api/vertex/v1/complete", "", map[string]any{"token": token, "data": nil}); r.Status != http.StatusForbidden {
		t.Errorf("a second complete: %d %s", r.Status, r.Body)
	}
}

// waiting asks the dialog's workflow what it waits for.
func waiting(t *testing.T, e *servertest.Env, id string) engine.WaitingInfo {
	t.Helper()
	v, err := e.Temporal.QueryWorkflow(t.Context(), engine.WorkflowID(id), "", engine.QueryState)
	if err != nil {
		t.Fatal(err)
	}
	var snap engine.Snapshot
	if err := v.Get(&snap); err != nil {
		t.Fatal(err)
	}
	if snap.Waiting == nil {
		return engine.WaitingInfo{}
	}
	return *snap.Waiting
}
