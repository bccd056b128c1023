//go:build !slim

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/webhooks"
	"github.com/parleyhq/parley/worker"
)

// chaosFlow is the kill loop's bot: every kind of wait Parley keeps
// across a crash, one after another. %[1]s is the services' base URL.
const chaosFlow = `bot: chaos
variables:
  name: { type: string }
  order: { type: object }
  colour: { type: string }
  more: { type: string }
settings:
  ai:
    model: { id: chaos-model }
    tools: { lookup_order: auto }
  tools:
    lookup_order:
      description: Look up where an order is.
      parameters: { type: object, properties: { order: { type: string } }, required: [order] }
      url: %[1]s/tool
nodes:
  ask_name:
    kind: question
    text: Name?
    save: name
    next: lookup
  lookup:
    kind: block
    url: %[1]s/block
    payload: { customer: "{{ name }}" }
    timeout: 10m
    save: order
    next: pause
  pause:
    kind: wait
    for: 1s
    next: ask_colour
  ask_colour:
    kind: question
    text: "Colour, {{ name }}?"
    save: colour
    timeout: 2s
    on_timeout: late
    next: agent
  late:
    kind: message
    text: "Too slow, {{ name }}."
    next: agent
  agent:
    kind: llm
    prompt: "Customer {{ name }} asks where order {{ order.id }} is."
    next: ask_more
  ask_more:
    kind: question
    text: "Anything else, {{ name }}?"
    save: more
    next: human
  human:
    kind: handoff
    text: "Connecting you, {{ name }}."
    queue: chaos
    timeout: 1h
    next: bye
  bye:
    kind: end
    text: "Bye {{ name }}."
`

// chaosTranscript is what a dialog of user name must hold in the end,
// each message once: the block's service wrote and completed, the wait and the question's
// timeout fired, the model called its tool and answered, the operator
// wrote and released.
func chaosTranscript(name string) string {
	return strings.Join([]string{
		"assistant:Name?", "user:" + name, "assistant:Looking up O-" + name + ".",
		"assistant:Colour, " + name + "?", "assistant:Too slow, " + name + ".",
		"assistant:" + chaosAnswer(name), "assistant:Anything else, " + name + "?",
		"user:A human, please.", "assistant:Connecting you, " + name + ".",
		"operator:Hi " + name + ", this is Kate.", "assistant:Bye " + name + ".",
	}, " | ")
}

func chaosAnswer(name string) string { return "Order O-" + name + " is shipped, " + name + "." }

// chaosServices are the outside world of the kill loop, on loopback: the
// block service (which completes each block through the API, taking the
// token as the attempt's idempotency key), the url tool, the webhook
// receiver and the model. They count what they get, for the invariants.
type chaosServices struct {
	*httptest.Server
	model *llmtest.Server
	api   func() string // a base URL of the API now, for completing blocks

	mu       sync.Mutex
	tokens   map[string]map[string]int // dialog id -> token -> calls
	tools    map[string]map[string]int // order -> Idempotency-Key -> url tool calls
	hooks    map[string]map[string]int // "dialog/message id" -> webhook-id -> deliveries
	hookMsgs int                       // message.created deliveries
	errs     []string                  // what a service could not do
}

func newChaosServices(t *testing.T, api func() string) *chaosServices {
	s := &chaosServices{api: api, model: llmtest.New(t), tokens: map[string]map[string]int{},
		tools: map[string]map[string]int{}, hooks: map[string]map[string]int{}}
	s.model.AnswerBy(chaosModel)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /block", s.block)
	mux.HandleFunc("POST /tool", s.tool)
	mux.HandleFunc("POST /hook", s.hook)
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

var customer = regexp.MustCompile(`Customer (\S+) asks`)

// chaosModel calls lookup_order first, then answers with what it found.
func chaosModel(req llmtest.Request) llmtest.Answer {
	if len(req.Messages) > 0 && strings.Contains(req.Messages[0].Content, worker.TitleInstruction) {
		return llmtest.Answer{Text: "Order status"}
	}
	name := "nobody"
	for _, m := range req.Messages {
		if c := customer.FindStringSubmatch(m.Content); c != nil {
			name = c[1]
		}
	}
	for _, m := range req.Messages {
		if m.Role == "tool" && strings.Contains(m.Content, "shipped") {
			return llmtest.Answer{Text: chaosAnswer(name)}
		}
	}
	return llmtest.Answer{Tool: "lookup_order", Args: `{"order":"O-` + name + `"}`}
}

// block takes a block's call and completes it from another goroutine,
// as a service that queues work would: a call with a token it has seen
// is a retry of the same attempt and starts nothing.
func (s *chaosServices) block(w http.ResponseWriter, r *http.Request) {
	var call struct {
		Token    string
		Customer string
		Dialog   struct{ ID string }
	}
	if err := json.NewDecoder(r.Body).Decode(&call); err != nil || call.Token == "" {
		http.Error(w, "bad call", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	if s.tokens[call.Dialog.ID] == nil {
		s.tokens[call.Dialog.ID] = map[string]int{}
	}
	s.tokens[call.Dialog.ID][call.Token]++
	first := s.tokens[call.Dialog.ID][call.Token] == 1
	s.mu.Unlock()
	if first {
		go s.complete(call.Token, call.Customer)
	}
	w.WriteHeader(http.StatusAccepted)
}

// complete sends a message into the dialog, then completes the block,
// each call tried until it gets an answer: the message with a
// client_message_id, so a retry after a lost answer stores it once; the
// completion until 204, or 403 when an earlier try did it and its answer
// was lost.
func (s *chaosServices) complete(token, name string) {
	say := map[string]any{"token": token, "text": "Looking up O-" + name + ".", "client_message_id": "lookup"}
	if status := s.vertex("/api/vertex/v1/dialog/send_message", say); status != http.StatusOK {
		s.fail("the block of %s sending a message: %d", name, status)
		return
	}
	done := map[string]any{"token": token, "data": map[string]any{"id": "O-" + name}}
	if status := s.vertex("/api/vertex/v1/complete", done); status != http.StatusNoContent && status != http.StatusForbidden {
		s.fail("completing the block of %s: %d", name, status)
	}
}

// vertex posts to the block API until it answers below 500 (0 when it
// never does in 5 minutes).
func (s *chaosServices) vertex(path string, body any) int {
	data, _ := json.Marshal(body)
	for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		resp, err := http.Post(s.api()+path, "application/json", bytes.NewReader(data))
		if err != nil {
			continue
		}
		resp.Body.Close()
		if resp.StatusCode < 500 {
			return resp.StatusCode
		}
	}
	return 0
}

func (s *chaosServices) tool(w http.ResponseWriter, r *http.Request) {
	var args struct{ Order string }
	_ = json.NewDecoder(r.Body).Decode(&args)
	key := r.Header.Get("Idempotency-Key")
	s.mu.Lock()
	if s.tools[args.Order] == nil {
		s.tools[args.Order] = map[string]int{}
	}
	s.tools[args.Order][key]++
	if key == "" {
		s.errs = append(s.errs, "the url tool was called for order "+args.Order+" without an Idempotency-Key")
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"order": %q, "status": "shipped"}`, args.Order)
}

func (s *chaosServices) hook(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var ev struct {
		Type string
		Data struct {
			Dialog  string `json:"dialog_id"`
			Message struct{ ID string }
		}
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, "bad delivery", http.StatusBadRequest)
		return
	}
	if ev.Type == "message.created" {
		key := ev.Data.Dialog + "/" + ev.Data.Message.ID
		s.mu.Lock()
		if s.hooks[key] == nil {
			s.hooks[key] = map[string]int{}
		}
		s.hooks[key][r.Header.Get(webhooks.HeaderID)]++
		s.hookMsgs++
		s.mu.Unlock()
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *chaosServices) fail(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errs = append(s.errs, fmt.Sprintf(format, args...))
}

// delivered reports whether a message's message.created came, and how
// many webhook-ids it came with (more than one: the event was logged twice).
func (s *chaosServices) delivered(dialog, message string) (bool, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := s.hooks[dialog+"/"+message]
	return len(ids) > 0, len(ids)
}
