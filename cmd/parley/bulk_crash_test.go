//go:build !slim

package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestBulkSurvivesSIGKILL kills `parley dev` while a bulk action writes to
// 200 dialogs, restarts it on the same data directory and checks that the
// action finishes and that every dialog got the message exactly once: the
// batches the dead process was running go on from their heartbeats, and
// the dialogs between a heartbeat and the kill answer the repeated update
// from its id.
func TestBulkSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts parley dev twice; skipped with -short")
	}
	const n = 200
	t.Setenv("PARLEY_ROUTE_LIMITS", "dialogs=off") // one key creates them all, faster than a real client would
	data, flowsDir := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(flowsDir, "crash.yaml"), []byte(crashBot), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	dev := startDev(t, data, flowsDir, addr)
	ids := make([]string, n)
	for i := range ids {
		ids[i] = dev.call(t, "POST", "/v1/bots/crash/dialogs", map[string]any{})["id"].(string)
	}
	started := dev.call(t, "POST", "/v1/dialogs/bulk", map[string]any{"filter": map[string]any{"waiting": "ask_name"},
		"action": "message", "text": "We close at six.", "operator": "Kate"})
	bulk := "/v1/bulk/" + started["id"].(string)
	var progress map[string]any
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		progress = dev.call(t, "GET", bulk, nil)
		if progress["done"].(float64) > 0 || progress["status"] == "finished" {
			break
		}
	}
	if progress["status"] == "finished" || progress["done"].(float64) >= n {
		t.Fatalf("the bulk action finished before it could be killed: %v", progress)
	}
	dev.kill(t)
	t.Logf("killed with %v of %d done", progress["done"], n)

	dev = startDev(t, data, flowsDir, addr)
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if progress = dev.call(t, "GET", bulk, nil); progress["status"] == "finished" {
			break
		}
	}
	if progress["status"] != "finished" || progress["matched"].(float64) != n || progress["done"].(float64) != n || progress["failed"].(float64) != 0 {
		t.Fatalf("after the restart: %v\nlogs:\n%s", progress, dev.logs)
	}
	for _, id := range ids {
		view := dev.call(t, "GET", "/v1/dialogs/"+id, nil)
		got := 0
		for _, m := range view["messages"].([]any) {
			if m.(map[string]any)["text"] == "We close at six." {
				got++
			}
		}
		if got != 1 {
			t.Errorf("dialog %s got the message %d times: %s", id, got, transcript(view))
		}
	}
}
