//go:build !slim

package main

import (
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/worker"
)

// TestFAQAnswersFromDocuments runs the FAQ example bot in `parley dev`
// with a model on loopback: dev indexes examples/knowledge with the
// model's embeddings, the model is given the pricing document for a price
// question, and the answer keeps it as its source.
func TestFAQAnswersFromDocuments(t *testing.T) {
	if testing.Short() {
		t.Skip("starts parley dev; skipped with -short")
	}
	model := llmtest.New(t)
	model.ReplyWhenSystem(worker.TitleInstruction, "Pro plan price")
	model.Reply("The Pro plan costs 49 EUR a month.")
	t.Setenv("PARLEY_LLM_BASE_URL", model.URL()) // inherited by the child process
	dev := startDev(t, t.TempDir(), "../../examples/bots", freeAddr(t), "--knowledge", "../../examples/knowledge")
	waitIndexed(t, dev, "pricing", "product_docs")

	created := dev.call(t, "POST", "/v1/bots/faq/dialogs", map[string]any{})
	id := created["id"].(string)
	turn := dev.call(t, "POST", "/v1/dialogs/"+id+"/messages", map[string]any{"text": "How much does the Pro plan cost per month?"})
	if got := said(turn); got != "The Pro plan costs 49 EUR a month." {
		t.Fatalf("reply %q\n%s", got, dev.logs)
	}
	var asked *llmtest.Request
	for _, r := range model.Requests() {
		if r.Path == "/v1/chat/completions" && !strings.Contains(r.Messages[0].Content, worker.TitleInstruction) {
			asked = &r
			break
		}
	}
	if asked == nil || !strings.Contains(asked.Messages[1].Content, "The Pro plan costs 49 EUR a month and includes") {
		t.Fatalf("the model was not given the pricing document: %+v", asked)
	}
	view := dev.call(t, "GET", "/v1/dialogs/"+id, nil)
	msgs := view["messages"].([]any)
	sources, _ := msgs[len(msgs)-1].(map[string]any)["sources"].([]any)
	if len(sources) == 0 || sources[0].(map[string]any)["filename"] != "plans.md" {
		t.Errorf("the answer's sources: %v", sources)
	}
}

// waitIndexed waits until dev's vector stores of these names are ready.
func waitIndexed(t *testing.T, dev *devProcess, names ...string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ready := map[string]bool{}
		for _, s := range dev.call(t, "GET", "/vector_stores", nil)["data"].([]any) {
			vs := s.(map[string]any)
			ready[vs["name"].(string)] = vs["status"] == "ready" && vs["file_count"].(float64) > 0
		}
		all := true
		for _, n := range names {
			all = all && ready[n]
		}
		if all {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("vector stores not ready: %v\n%s", ready, dev.logs)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
