package main

import (
	"os"
	"path/filepath"
	"testing"

	"parley/llm/llmtest"
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
