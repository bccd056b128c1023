//go:build !slim

package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDevMetricsAddr runs `parley dev` with PARLEY_METRICS_ADDR: a dialog's
// request, turn and start are counted there, with the Temporal SDK's
// metrics, and the API's address has no /metrics.
func TestDevMetricsAddr(t *testing.T) {
	if testing.Short() {
		t.Skip("starts parley dev; skipped with -short")
	}
	metricsAt := freeAddr(t)
	t.Setenv("PARLEY_METRICS_ADDR", metricsAt) // the child process inherits it
	data, flowsDir := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(flowsDir, "crash.yaml"), []byte(crashBot), 0o644); err != nil {
		t.Fatal(err)
	}
	dev := startDev(t, data, flowsDir, freeAddr(t))
	created := dev.call(t, "POST", "/v1/bots/crash/dialogs", map[string]any{})
	dev.call(t, "POST", "/v1/dialogs/"+created["id"].(string)+"/messages", map[string]any{"text": "Ann"})
	if code, err := httpGet(t.Context(), dev.url+"/metrics"); err != nil || code != http.StatusNotFound {
		t.Errorf("the API's GET /metrics = %d %v, want 404", code, err)
	}
	want := []string{
		"\nparley_dialogs_started_total 1\n",
		"\nparley_turns_total{outcome=\"ok\",update=\"message\"} 1\n",
		"\nparley_http_requests_total{method=\"POST\",route=\"/v1/bots/:slug/dialogs\",status=\"201\"} 1\n",
		"\ntemporal_request_total{",
		"\ntemporal_workflow_task_execution_latency_seconds_count{", // the worker's
	}
	var body string
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		body = get(t, "http://"+metricsAt+"/metrics", http.StatusOK)
		if missing := lacking(body, want); len(missing) == 0 {
			return
		} else if time.Now().After(deadline) {
			t.Fatalf("PARLEY_METRICS_ADDR's /metrics lacks %q:\n%s\nlogs:\n%s", missing, body, dev.logs)
		}
	}
}

func lacking(body string, want []string) []string {
	var missing []string
	for _, w := range want {
		if !strings.Contains(body, w) {
			missing = append(missing, w)
		}
	}
	return missing
}
