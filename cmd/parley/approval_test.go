//go:build !slim

package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/parleyhq/parley/llm/llmtest"
)

const approvalBot = `bot: help
settings:
  ai:
    model: { id: test-model }
    tools: { handoff: operator_approve }
`

// TestApprovalSurvivesRestart: a tool call waiting for an operator's
// approval is still waiting after parley dev is killed and restarted, and
// the operator's decision then takes effect.
func TestApprovalSurvivesRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts parley dev twice; skipped with -short")
	}
	model := llmtest.New(t)
	model.ReplyToolCall("handoff", `{"reason":"asked for a person"}`)
	t.Setenv("PARLEY_LLM_BASE_URL", model.URL()) // inherited by the child process
	data, flowsDir := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(flowsDir, "help.yaml"), []byte(approvalBot), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	dev := startDev(t, data, flowsDir, addr)
	created := dev.call(t, "POST", "/v1/bots/help/dialogs", map[string]any{})
	id := created["id"].(string)
	turn := dev.call(t, "POST", "/v1/dialogs/"+id+"/messages", map[string]any{"text": "a person, please"})
	if w, _ := turn["waiting"].(map[string]any); w["kind"] != "approval" {
		t.Fatalf("not waiting for an approval: %v", turn)
	}
	dev.kill(t)

	dev = startDev(t, data, flowsDir, addr)
	turn = dev.call(t, "POST", "/v1/dialogs/"+id+"/approvals/a1", map[string]any{"approve": true, "operator": "Kim"})
	if w, _ := turn["waiting"].(map[string]any); turn["mode"] != "operator" || w["kind"] != "handoff" {
		t.Errorf("after the approval: %v", turn)
	}
}

// TestLLMCallSurvivesKill kills parley dev while the model is still
// writing its answer. After the restart the call runs again (once the dead
// worker's heartbeat is missed), the client's retry of the same message
// gets the answer, and the dialog holds the user's message and the answer
// exactly once.
func TestLLMCallSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("starts parley dev twice and waits for a heartbeat timeout; skipped with -short")
	}
	model := llmtest.New(t)
	model.Delay(3 * time.Second)
	model.ReplyAlways("Here is the answer.")
	t.Setenv("PARLEY_LLM_BASE_URL", model.URL())
	data, flowsDir := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(flowsDir, "chat.yaml"), []byte("bot: chat\nsettings:\n  ai:\n    model: { id: test-model }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	dev := startDev(t, data, flowsDir, addr)
	id := dev.call(t, "POST", "/v1/bots/chat/dialogs", map[string]any{})["id"].(string)
	msg := map[string]any{"text": "a question", "client_message_id": "q1"}
	go func() { // answered only after the kill: its error is expected
		data, _ := json.Marshal(msg)
		req, _ := http.NewRequestWithContext(t.Context(), "POST", dev.url+"/v1/dialogs/"+id+"/messages", bytes.NewReader(data))
		req.Header.Set("Authorization", "Bearer "+crashKey)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	for deadline := time.Now().Add(30 * time.Second); len(model.Requests()) == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the model was never asked:\n%s", dev.logs)
		}
	}
	dev.kill(t) // mid-answer: the model takes 3s

	dev = startDev(t, data, flowsDir, addr)
	turn := dev.call(t, "POST", "/v1/dialogs/"+id+"/messages", msg) // the client retries
	if got := said(turn); got != "Here is the answer." {
		t.Fatalf("the retried message got %q", got)
	}
	view := dev.call(t, "GET", "/v1/dialogs/"+id, nil)
	if got := transcript(view); got != "user:a question | assistant:Here is the answer." {
		t.Errorf("transcript: %s", got)
	}
	if n := len(model.Requests()); n != 2 {
		t.Errorf("the model was asked %d times, want 2: the killed call and its retry", n)
	}
}
