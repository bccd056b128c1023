package engine_test

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/knowledge"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/netguard"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/sqlite"
	parleyworker "github.com/parleyhq/parley/worker"
)

var record = flag.Bool("record", false, "record testdata/replay histories again from a live run")

// TestReplay replays recorded dialog histories against today's workflow
// code: a change that is not compatible with dialogs already running (a new
// command, a reordered timer) fails here. Record new histories with
// `go test ./engine -run TestReplay -record` when a change is meant to be
// incompatible, and guard it with workflow.GetVersion first.
func TestReplay(t *testing.T) {
	if *record {
		recordHistory(t, filepath.Join("testdata", "replay", "support.json"))
		recordLLMHistory(t, filepath.Join("testdata", "replay", "llm.json"))
		recordBlockToolHistory(t, filepath.Join("testdata", "replay", "blocktool.json"))
	}
	paths, _ := filepath.Glob(filepath.Join("testdata", "replay", "*.json"))
	if len(paths) == 0 {
		t.Fatal("no recorded histories in testdata/replay")
	}
	for _, path := range paths {
		r := worker.NewWorkflowReplayer()
		r.RegisterWorkflowWithOptions(engine.DialogWorkflow, workflow.RegisterOptions{Name: engine.WorkflowName})
		if err := r.ReplayWorkflowHistoryFromJSONFile(nil, path); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
}

const replayBot = `bot: support
variables:
  topic: { type: string }
  more: { type: boolean }
nodes:
  greet:
    kind: message
    text: Hello!
    next: ask_topic
  ask_topic:
    kind: question
    text: Topic?
    input: { type: choice, options: [Billing, Person] }
    save: topic
    timeout: 1h
    remind: [{ after: 30m, text: "Still there?" }]
    on_timeout: bye
    next:
      - if: topic == "Person"
        to: human
      - to: anything_else
  human:
    kind: handoff
    text: Connecting you.
    next: anything_else
  anything_else:
    kind: question
    text: Anything else?
    input: { type: yes_no }
    save: more
    next:
      - if: more
        to: ask_topic
      - to: bye
  bye:
    kind: end
    text: Bye!
`

// update is one update a recorded dialog gets.
type update struct {
	name string
	arg  any
}

// recordDialog publishes a bot on a real in-process server with the given
// worker activities, runs a dialog through the updates and saves its
// history. before, when set, runs before each update (by index).
func recordDialog(t *testing.T, path string, acts *parleyworker.Activities, bot string, updates []update, before func(i int)) {
	ctx := t.Context()
	ts := servertest.NewTemporal(t)
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "parley.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	acts.Store = db
	if acts.Knowledge != nil {
		acts.Knowledge.Store, acts.Knowledge.Index = db, knowledge.NewStoreIndex(db)
	}
	ts.NewWorker(engine.TaskQueue, func(r worker.Registry) { parleyworker.Register(r, acts) })
	svc := &dialogs.Service{Store: db, Temporal: ts.GetDefaultClient()}
	org, _ := db.CreateOrganization(ctx, "o")
	project, _ := db.CreateProject(ctx, org.ID, "p")
	published, err := svc.Publish(ctx, project.ID, "", bot, "test")
	if err != nil {
		t.Fatal(err)
	}
	d, _, err := svc.Create(ctx, project.ID, published.Bot.Slug, dialogs.CreateInput{Start: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, u := range updates {
		if before != nil {
			before(i)
		}
		if err := sendUpdate(ctx, ts.GetDefaultClient(), d.UUID, u); err != nil {
			t.Fatalf("%s: %v", u.name, err)
		}
	}
	run := ts.GetDefaultClient().GetWorkflow(ctx, engine.WorkflowID(d.UUID), "")
	if err := run.Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	saveHistory(t, ts.GetDefaultClient(), engine.WorkflowID(d.UUID), path)
}

// recordHistory runs a dialog through every kind of update.
func recordHistory(t *testing.T, path string) {
	recordDialog(t, path, &parleyworker.Activities{}, replayBot, []update{
		{engine.UpdateMessage, engine.MessageInput{Text: "pizza"}},
		{engine.UpdateMessage, engine.MessageInput{Text: "Person", ClientMessageID: "c1"}},
		{engine.UpdateMessage, engine.MessageInput{Text: "hello?"}},
		{engine.UpdateOperatorMessage, engine.OperatorMessageInput{Operator: "Kate", Text: "Hi!"}},
		{engine.UpdateMode, engine.ModeInput{Mode: store.ModeAuto, Operator: "Kate"}},
		{engine.UpdateStop, nil},
		{engine.UpdateStart, nil},
		{engine.UpdateMessage, engine.MessageInput{Text: "no"}},
	}, nil)
}

const replayLLMBot = `bot: assistant
settings:
  ai:
    model: { id: test-model }
    memory: { workingMemory: { enabled: true }, generateTitle: true }
    tools: { handoff: operator_approve, knowledge_search: auto }
nodes:
  chat:
    kind: llm
    converse: true
    exit_when: input == "bye"
    next: done
  done:
    kind: end
    text: Bye!
`

// recordLLMHistory records a conversing llm node through tool calls
// (working memory, a knowledge search, a handoff approved by an operator),
// a hand-back, a title written off the update's path, and its end.
func recordLLMHistory(t *testing.T, path string) {
	model := llmtest.New(t)
	model.ReplyWhenSystem(parleyworker.TitleInstruction, "Replay")
	model.ReplyToolCall("update_working_memory", `{"memory": "- likes tea"}`)
	model.Reply("Noted.")
	model.ReplyToolCall("knowledge_search", `{"query": "tea"}`)
	model.Reply("Nothing about tea.")
	model.ReplyToolCall("handoff", `{"reason": "asked for a person"}`)
	model.Reply("Goodbye.")
	lib := &knowledge.Library{Embedder: knowledge.NewHashEmbedder(knowledge.DefaultHashDim)}
	acts := &parleyworker.Activities{LLM: llm.NewOpenAI(model.URL(), ""), Knowledge: lib}
	recordDialog(t, path, acts, replayLLMBot, []update{
		{engine.UpdateMessage, engine.MessageInput{Text: "I like tea"}},
		{engine.UpdateMessage, engine.MessageInput{Text: "any tea docs?"}},
		{engine.UpdateMessage, engine.MessageInput{Text: "a person please"}},
		{engine.UpdateApproval, engine.ApprovalInput{ID: "a1", Approve: true, Operator: "Kate"}},
		{engine.UpdateMode, engine.ModeInput{Mode: store.ModeAuto, Operator: "Kate"}},
		{engine.UpdateMessage, engine.MessageInput{Text: "bye"}},
	}, nil)
}

const replayBlockToolBot = `bot: shop
settings:
  ai:
    model: { id: test-model }
    tools: { reserve: auto }
  tools:
    reserve:
      description: Reserve items.
      block: warehouse
nodes:
  chat:
    kind: llm
    converse: true
    exit_when: input == "bye"
    next: done
  warehouse:
    kind: block
    url: %s
    timeout: 10m
  done:
    kind: end
    text: Bye!
`

// recordBlockToolHistory records a tool call run by a block that waits:
// the service is called, sends a message and completes, and the model
// answers from the data.
func recordBlockToolHistory(t *testing.T, path string) {
	model := llmtest.New(t)
	model.ReplyToolCall("reserve", `{"sku": "P-1"}`)
	model.Reply("Reserved.")
	model.Reply("See you.")
	called := make(chan struct{}, 1)
	service := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		called <- struct{}{}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer service.Close()
	loopback := netguard.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	acts := &parleyworker.Activities{LLM: llm.NewOpenAI(model.URL(), ""), Policy: loopback}
	recordDialog(t, path, acts, fmt.Sprintf(replayBlockToolBot, service.URL), []update{
		{engine.UpdateMessage, engine.MessageInput{Text: "reserve P-1"}},
		{engine.UpdateBlockMessage, engine.BlockMessageInput{Node: "warehouse", Attempt: 1, Text: "Checking..."}},
		{engine.UpdateBlockComplete, engine.BlockCompleteInput{Node: "warehouse", Attempt: 1, Data: map[string]any{"reserved": 1}}},
		{engine.UpdateMessage, engine.MessageInput{Text: "bye"}},
	}, func(i int) {
		if i == 1 { // the service is called off the update's path
			select {
			case <-called:
			case <-time.After(30 * time.Second):
				t.Fatal("the block service was never called")
			}
		}
	})
}

// sendUpdate sends one update straight to the dialog's workflow: the
// engine's own tests name updates; dialects call dialogs' use cases.
func sendUpdate(ctx context.Context, c client.Client, dialogUUID string, u update) error {
	opts := client.UpdateWorkflowOptions{WorkflowID: engine.WorkflowID(dialogUUID), UpdateName: u.name,
		WaitForStage: client.WorkflowUpdateStageCompleted}
	if u.arg != nil {
		opts.Args = []any{u.arg}
	}
	h, err := c.UpdateWorkflow(ctx, opts)
	if err != nil {
		return err
	}
	return h.Get(ctx, nil)
}

func saveHistory(t *testing.T, c client.Client, workflowID, path string) {
	ctx := t.Context()
	iter := c.GetWorkflowHistory(ctx, workflowID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	h := &historypb.History{}
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		h.Events = append(h.Events, e)
	}
	data, err := protojson.MarshalOptions{Indent: "  "}.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d events into %s", len(h.Events), path)
}
