package engine_test

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
)

const quoteBot = `bot: quote
settings:
  ai:
    instruction: "You quote prices for {{ company }}."
    model: { id: openai/gpt-4o-mini, temperature: 0.2, max_tokens: 300 }
    memory: { lastMessages: 3 }
variables:
  company: { type: string, default: ACME }
  product: { type: string }
  quote: { type: object }
nodes:
  ask:
    kind: question
    text: Which product?
    save: product
    next: price
  price:
    kind: llm
    prompt: "Quote {{ product }} as JSON."
    model: { temperature: 0.7 }
    json_schema: { type: object, properties: { price: { type: number } } }
    reply: false
    save: quote
    on_error: sorry
    next: tell
  tell:
    kind: end
    text: "{{ product }} costs {{ quote.price }} EUR."
  sorry:
    kind: end
    text: No quote today.
`

// TestLLMNodeRequestAndJSONAnswer checks what the model is asked (merged
// settings, instruction, history window, prompt, schema) and that a JSON
// answer that does not parse is asked for once more.
func TestLLMNodeRequestAndJSONAnswer(t *testing.T) {
	model := llmtest.New(t)
	e := servertest.NewWith(t, servertest.Options{LLM: llm.NewOpenAI(model.URL(), "key")}, native.Dialect)
	if r := e.Do("PUT", "/v1/bots/quote/flow", e.A.Bearer(), quoteBot); r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	model.Reply("Sure! The price is 12.")
	model.Reply(`{"price": 12.5}`)
	var created struct{ ID string }
	e.Do("POST", "/v1/bots/quote/dialogs", e.A.Bearer(), nil).JSON(t, &created)
	var turn struct{ Messages []struct{ Text string } }
	e.Do("POST", "/v1/dialogs/"+created.ID+"/messages", e.A.Bearer(), map[string]any{"text": "Widget"}).JSON(t, &turn)
	if len(turn.Messages) != 1 || turn.Messages[0].Text != "Widget costs 12.5 EUR." {
		t.Fatalf("reply: %+v", turn)
	}
	reqs := model.Requests()
	if len(reqs) != 2 {
		t.Fatalf("the model was asked %d times, want 2 (one retry for the JSON)", len(reqs))
	}
	first := reqs[0]
	var roles, texts []string
	for _, m := range first.Messages {
		roles = append(roles, m.Role)
		texts = append(texts, m.Content)
	}
	if first.Model != "openai/gpt-4o-mini" || first.Temperature == nil || *first.Temperature != 0.7 || first.MaxTokens == nil || *first.MaxTokens != 300 ||
		strings.Join(roles, ",") != "system,assistant,user,user" || texts[0] != "You quote prices for ACME." ||
		texts[1] != "Which product?" || texts[2] != "Widget" || texts[3] != "Quote Widget as JSON." || first.ResponseFormat == nil {
		t.Errorf("first request: model %s temp %v max %v roles %v texts %q format %v", first.Model, first.Temperature, first.MaxTokens, roles, texts, first.ResponseFormat)
	}
	if last := reqs[1].Messages[len(reqs[1].Messages)-1]; !strings.Contains(last.Content, "not valid JSON") {
		t.Errorf("the retry does not say what was wrong: %q", last.Content)
	}
}

const chatBot = `bot: chat
settings:
  ai:
    model: { id: test-model }
`

// TestReplyKeepsUsage checks that a model's reply is stored with the token
// usage of its call.
func TestReplyKeepsUsage(t *testing.T) {
	model := llmtest.New(t)
	e := servertest.NewWith(t, servertest.Options{LLM: llm.NewOpenAI(model.URL(), "")}, native.Dialect)
	e.Do("PUT", "/v1/bots/chat/flow", e.A.Bearer(), chatBot)
	model.Reply("four words right here")
	var created struct{ ID string }
	e.Do("POST", "/v1/bots/chat/dialogs", e.A.Bearer(), nil).JSON(t, &created)
	var turn struct{ Messages []struct{ Text string } }
	e.Do("POST", "/v1/dialogs/"+created.ID+"/messages", e.A.Bearer(), map[string]any{"text": "hello there"}).JSON(t, &turn)
	if len(turn.Messages) != 1 || turn.Messages[0].Text != "four words right here" {
		t.Fatalf("reply: %+v", turn)
	}
	d, err := e.Store.Dialog(t.Context(), e.A.ID, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := e.Store.Messages(t.Context(), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	u := msgs[len(msgs)-1].Usage
	if u == nil || u.Model != "test-model" || u.PromptTokens != 2 || u.CompletionTokens != 4 {
		t.Errorf("usage: %+v", u)
	}
}

const helpBot = `bot: help
settings:
  ai:
    model: { id: test-model }
    tools: { handoff: auto }
`

// TestHandoffTool: the model calls handoff, operators take over, and when
// they hand back the conversation with the model goes on.
func TestHandoffTool(t *testing.T) {
	model := llmtest.New(t)
	e := servertest.NewWith(t, servertest.Options{LLM: llm.NewOpenAI(model.URL(), "")}, native.Dialect)
	e.Do("PUT", "/v1/bots/help/flow", e.A.Bearer(), helpBot)
	model.ReplyToolCall("handoff", `{"reason":"asked for a person"}`)
	model.Reply("Back to me. How else can I help?")
	var created struct{ ID string }
	e.Do("POST", "/v1/bots/help/dialogs", e.A.Bearer(), nil).JSON(t, &created)
	path := "/v1/dialogs/" + created.ID
	var turn struct {
		Messages []struct{ Text string }
		Mode     string
		Waiting  *struct{ Node, Kind string }
	}
	e.Do("POST", path+"/messages", e.A.Bearer(), map[string]any{"text": "I want a person"}).JSON(t, &turn)
	if turn.Mode != "operator" || turn.Waiting == nil || turn.Waiting.Kind != "handoff" {
		t.Fatalf("after the handoff call: %+v", turn)
	}
	if tools := model.Requests()[0].Tools; len(tools) != 1 {
		t.Errorf("tools offered: %+v", tools)
	}
	e.Do("POST", path+"/operator", e.A.Bearer(), map[string]any{"action": "release", "operator": "Kim"}).JSON(t, &turn)
	if turn.Mode != "auto" || turn.Waiting == nil || turn.Waiting.Kind != "llm" {
		t.Fatalf("after release: %+v", turn)
	}
	e.Do("POST", path+"/messages", e.A.Bearer(), map[string]any{"text": "thanks"}).JSON(t, &turn)
	if len(turn.Messages) != 1 || turn.Messages[0].Text != "Back to me. How else can I help?" {
		t.Errorf("after hand-back: %+v", turn)
	}
}

// TestToolApprovals: a tool the user must approve is asked about with
// yes/no buttons; a refusal goes back to the model as the tool's result;
// an operator decides through the approvals endpoint.
func TestToolApprovals(t *testing.T) {
	model := llmtest.New(t)
	e := servertest.NewWith(t, servertest.Options{LLM: llm.NewOpenAI(model.URL(), "")}, native.Dialect)
	e.Do("PUT", "/v1/bots/help/flow", e.A.Bearer(), strings.Replace(helpBot, "handoff: auto", "handoff: user_approve", 1))
	type turnJSON struct {
		Messages []struct {
			Text    string
			Buttons []string
		}
		Mode    string
		Waiting *struct{ Node, Kind string }
	}
	var created struct{ ID string }
	e.Do("POST", "/v1/bots/help/dialogs", e.A.Bearer(), nil).JSON(t, &created)
	path := "/v1/dialogs/" + created.ID

	model.ReplyToolCall("handoff", `{}`)
	var turn turnJSON
	e.Do("POST", path+"/messages", e.A.Bearer(), map[string]any{"text": "a person please"}).JSON(t, &turn)
	if turn.Waiting == nil || turn.Waiting.Kind != "approval" || len(turn.Messages) != 1 ||
		turn.Messages[0].Text != "The assistant wants to hand this conversation to a person. Is that OK?" || len(turn.Messages[0].Buttons) != 2 {
		t.Fatalf("asking the user: %+v", turn)
	}
	model.Reply("Fine, I will keep helping.")
	e.Do("POST", path+"/messages", e.A.Bearer(), map[string]any{"text": "no"}).JSON(t, &turn)
	if len(turn.Messages) != 1 || turn.Messages[0].Text != "Fine, I will keep helping." || turn.Waiting.Kind != "llm" {
		t.Fatalf("after no: %+v", turn)
	}
	reqs := model.Requests()
	last := reqs[len(reqs)-1].Messages
	if n := len(last); n < 2 || last[n-2].Role != "assistant" || last[n-1].Role != "tool" || !strings.Contains(last[n-1].Content, "did not allow") {
		t.Errorf("the refusal sent to the model: %+v", last)
	}
	model.ReplyToolCall("handoff", `{}`)
	e.Do("POST", path+"/messages", e.A.Bearer(), map[string]any{"text": "really, a person"})
	e.Do("POST", path+"/messages", e.A.Bearer(), map[string]any{"text": "yes"}).JSON(t, &turn)
	if turn.Mode != "operator" || turn.Waiting.Kind != "handoff" {
		t.Fatalf("after yes: %+v", turn)
	}

	e.Do("PUT", "/v1/bots/help/flow", e.A.Bearer(), strings.Replace(helpBot, "handoff: auto", "handoff: operator_approve", 1))
	e.Do("POST", "/v1/bots/help/dialogs", e.A.Bearer(), nil).JSON(t, &created)
	path = "/v1/dialogs/" + created.ID
	model.ReplyToolCall("handoff", `{}`)
	e.Do("POST", path+"/messages", e.A.Bearer(), map[string]any{"text": "a person please"}).JSON(t, &turn)
	if turn.Waiting == nil || turn.Waiting.Kind != "approval" || !strings.Contains(turn.Messages[0].Text, "approval a1") {
		t.Fatalf("asking an operator: %+v", turn)
	}
	if r := e.Do("POST", path+"/approvals/a9", e.A.Bearer(), map[string]any{"approve": true}); r.Status != 404 {
		t.Errorf("an unknown approval: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", path+"/approvals/a1", e.A.Bearer(), map[string]any{}); r.Status != 400 {
		t.Errorf("no decision: %d %s", r.Status, r.Body)
	}
	e.Do("POST", path+"/approvals/a1", e.A.Bearer(), map[string]any{"approve": true, "operator": "Kim"}).JSON(t, &turn)
	if turn.Mode != "operator" || turn.Waiting.Kind != "handoff" {
		t.Errorf("after the operator approved: %+v", turn)
	}
}
