package engine_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/worker"
)

const docsBot = `bot: docs
settings:
  ai:
    model: { id: test-model }
    memory: { workingMemory: { enabled: true }, generateTitle: true }
nodes:
  chat:
    kind: llm
    converse: true
    knowledge: [handbook]
    top_k: 1
`

// TestKnowledgeMemoryAndTitle runs an llm node with a knowledge base,
// working memory and titles over the API: the model is given the best
// chunk and its working memory, the answer keeps its source, and the
// dialog's title and memory can be read back.
func TestKnowledgeMemoryAndTitle(t *testing.T) {
	model := llmtest.New(t)
	e := servertest.NewWith(t, servertest.Options{LLM: llm.NewOpenAI(model.URL(), "")}, native.Dialect)
	if r := e.Do("PUT", "/v1/bots/docs/flow", e.A.Bearer(), docsBot); r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	addDocument(t, e, "handbook", "holidays.txt", "Employees get 30 days of paid holiday a year. Holidays are booked in the HR portal.")
	addDocument(t, e, "handbook", "laptops.txt", "Every employee gets a laptop. Broken laptops are replaced by IT within two days.")

	model.ReplyWhenSystem(worker.TitleInstruction, "Holiday allowance")
	model.ReplyToolCall("update_working_memory", `{"memory": "- Asked about holidays"}`)
	model.Reply("You get 30 days a year.")
	var created struct{ ID string }
	e.Do("POST", "/v1/bots/docs/dialogs", e.A.Bearer(), nil).JSON(t, &created)
	var turn struct{ Messages []struct{ Text string } }
	e.Do("POST", "/v1/dialogs/"+created.ID+"/messages", e.A.Bearer(), map[string]any{"text": "How many days of paid holiday do I get?"}).JSON(t, &turn)
	if len(turn.Messages) != 1 || turn.Messages[0].Text != "You get 30 days a year." {
		t.Fatalf("reply: %+v", turn)
	}

	first := model.Requests()[0]
	system := first.Messages[0].Content + "\n" + first.Messages[1].Content
	if !strings.Contains(system, "Working memory") || !strings.Contains(system, "30 days of paid holiday") || strings.Contains(system, "laptop") {
		t.Errorf("the model was not given its memory and only the best chunk (top_k 1):\n%s", system)
	}
	if len(first.Tools) != 1 || first.Tools[0].Function.Name != "update_working_memory" {
		t.Errorf("tools offered: %+v, want update_working_memory (working memory is on)", first.Tools)
	}

	var view struct {
		Title         string `json:"title"`
		WorkingMemory string `json:"working_memory"`
		Messages      []struct {
			Role    string `json:"role"`
			Sources []struct {
				Filename string  `json:"filename"`
				File     string  `json:"file_id"`
				Score    float64 `json:"score"`
			} `json:"sources"`
		} `json:"messages"`
	}
	deadline := time.Now().Add(10 * time.Second)
	for { // the title is written off the reply's path
		e.Do("GET", "/v1/dialogs/"+created.ID, e.A.Bearer(), nil).JSON(t, &view)
		if view.Title != "" || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if view.Title != "Holiday allowance" || view.WorkingMemory != "- Asked about holidays" {
		t.Errorf("title %q, working memory %q", view.Title, view.WorkingMemory)
	}
	last := view.Messages[len(view.Messages)-1]
	if len(last.Sources) != 1 || last.Sources[0].Filename != "holidays.txt" || !strings.HasPrefix(last.Sources[0].File, "file-") || last.Sources[0].Score <= 0 {
		t.Errorf("the answer's sources: %+v", last.Sources)
	}
}

// addDocument indexes a text document into a project A vector store,
// creating the store on first use.
func addDocument(t *testing.T, e *servertest.Env, storeName, name, text string) {
	t.Helper()
	ctx := t.Context()
	vs, err := e.Knowledge.StoreNamed(ctx, e.A.ID, storeName)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	added, err := e.Knowledge.AddLocalFile(ctx, vs, path)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		f, err := e.Store.VectorStoreFile(ctx, e.A.ID, vs.UUID, added.UUID)
		if err != nil {
			t.Fatal(err)
		}
		if f.Status == store.FileProcessed {
			return
		}
		if f.Status == store.FileError || time.Now().After(deadline) {
			t.Fatalf("%s did not index: %s %s", name, f.Status, f.Error)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

const recallBot = `bot: recall
settings:
  ai:
    model: { id: test-model }
    memory: { lastMessages: 2, semanticRecall: true }
`

// TestSemanticRecall: messages that fell out of the history window come
// back when they are like the user's new message, and only those.
func TestSemanticRecall(t *testing.T) {
	model := llmtest.New(t)
	e := servertest.NewWith(t, servertest.Options{LLM: llm.NewOpenAI(model.URL(), "")}, native.Dialect)
	if r := e.Do("PUT", "/v1/bots/recall/flow", e.A.Bearer(), recallBot); r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	var created struct{ ID string }
	e.Do("POST", "/v1/bots/recall/dialogs", e.A.Bearer(), nil).JSON(t, &created)
	for _, text := range []string{"My dog is called Rex.", "I live in Berlin.", "I like green tea.", "What is my dog called?"} {
		model.Reply("Noted.")
		if r := e.Do("POST", "/v1/dialogs/"+created.ID+"/messages", e.A.Bearer(), map[string]any{"text": text}); r.Status != 200 {
			t.Fatalf("%s: %d %s", text, r.Status, r.Body)
		}
	}
	reqs := model.Requests()
	if first := reqs[0].Messages; len(first) != 1 || first[0].Content != "My dog is called Rex." {
		t.Errorf("the first request recalls something: %+v", first)
	}
	last := reqs[len(reqs)-1].Messages
	var recalled string
	for _, m := range last {
		if m.Role == "system" {
			recalled = m.Content
		}
	}
	if !strings.Contains(recalled, "- My dog is called Rex.") || strings.Contains(recalled, "tea") || strings.Contains(recalled, "Berlin") {
		t.Errorf("recalled %q, want only the message about the dog", recalled)
	}
	if n := len(last); n != 3 { // the recall, then the window of two
		t.Errorf("the last request has %d messages, want 3: %+v", n, last)
	}
}

// TestSemanticRecallAcrossDialogs: a person's earlier dialogs with the bot
// (the same user.id) are recalled too; another person's are not.
func TestSemanticRecallAcrossDialogs(t *testing.T) {
	model := llmtest.New(t)
	e := servertest.NewWith(t, servertest.Options{LLM: llm.NewOpenAI(model.URL(), "")}, native.Dialect)
	if r := e.Do("PUT", "/v1/bots/recall/flow", e.A.Bearer(), recallBot); r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	talk := func(user map[string]any, texts ...string) []llmtest.Message {
		t.Helper()
		var created struct{ ID string }
		if r := e.Do("POST", "/v1/bots/recall/dialogs", e.A.Bearer(), map[string]any{"user": user}); r.Status != 201 {
			t.Fatalf("create: %d %s", r.Status, r.Body)
		} else {
			r.JSON(t, &created)
		}
		for _, text := range texts {
			model.Reply("Noted.")
			if r := e.Do("POST", "/v1/dialogs/"+created.ID+"/messages", e.A.Bearer(), map[string]any{"text": text}); r.Status != 200 {
				t.Fatalf("%s: %d %s", text, r.Status, r.Body)
			}
		}
		reqs := model.Requests()
		return reqs[len(reqs)-1].Messages
	}
	systemOf := func(msgs []llmtest.Message) string {
		var out []string
		for _, m := range msgs {
			if m.Role == "system" {
				out = append(out, m.Content)
			}
		}
		return strings.Join(out, "\n")
	}
	talk(map[string]any{"id": "ada", "name": "Ada"}, "My dog is called Rex.", "I like green tea.")
	recalled := systemOf(talk(map[string]any{"id": "ada"}, "What is my dog called?"))
	if want := "In earlier conversations the user said:\n- My dog is called Rex."; !strings.HasPrefix(recalled, want) || strings.Contains(recalled, "tea") {
		t.Errorf("Ada's new dialog recalled %q, want %q and nothing about tea", recalled, want)
	}
	if recalled := systemOf(talk(map[string]any{"id": "bob"}, "What is my dog called?")); recalled != "" {
		t.Errorf("Bob's dialog recalled %q from Ada's", recalled)
	}
	if recalled := systemOf(talk(nil, "What is my dog called?")); recalled != "" {
		t.Errorf("a dialog without a user recalled %q", recalled)
	}
	if r := e.Do("POST", "/v1/bots/recall/dialogs", e.A.Bearer(), map[string]any{"user": map[string]any{"id": 42}}); r.Status != 400 || !strings.Contains(string(r.Body), "user.id must be a string") {
		t.Errorf("a numeric user.id: %d %s", r.Status, r.Body)
	}
}
