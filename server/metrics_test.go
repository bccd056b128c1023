package server_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
)

// metricsBot asks a question, calls a block service and ends.
const metricsBot = `bot: metered
variables:
  name: { type: string }
  found: { type: object }
nodes:
  ask:
    kind: question
    text: Name?
    save: name
    next: lookup
  lookup:
    kind: block
    url: %s/lookup
    wait: false
    save: found
    on_error: sorry
    next: bye
  bye:
    kind: end
    text: "Bye {{ name }}."
  sorry:
    kind: end
    text: The lookup failed.
`

// TestMetricsAfterADialog runs dialogs through the HTTP API, then scrapes
// GET /metrics over HTTP and finds every counter moved: requests by route
// template, turns by outcome, dialogs started and ended, block calls,
// activity failures, and the Temporal SDK's own metrics.
func TestMetricsAfterADialog(t *testing.T) {
	blocks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"ok": true}`)
	}))
	defer blocks.Close()
	e := servertest.New(t, native.Dialect)
	if r := e.Do("PUT", "/v1/bots/metered/flow", e.A.Bearer(), fmt.Sprintf(metricsBot, blocks.URL)); r.Status != http.StatusOK {
		t.Fatalf("publishing: %d %s", r.Status, r.Body)
	}
	created := e.Do("POST", "/v1/bots/metered/dialogs", e.A.Bearer(), map[string]any{})
	var d struct{ ID, Status string }
	created.JSON(t, &d)
	if r := e.Do("POST", "/v1/dialogs/"+d.ID+"/messages", e.A.Bearer(), map[string]any{"text": "Ann"}); r.Status != http.StatusOK {
		t.Fatalf("the answer: %d %s", r.Status, r.Body)
	}
	if got := waitEnded(t, e, d.ID); !strings.Contains(got, "Bye Ann.") {
		t.Fatalf("the dialog ended with %s", got)
	}
	late := e.Do("POST", "/v1/dialogs/"+d.ID+"/messages", e.A.Bearer(), map[string]any{"text": "again"})
	if late.Status != http.StatusConflict {
		t.Fatalf("a message to an ended dialog: %d %s", late.Status, late.Body)
	}
	if r := e.Do("GET", "/no/such/path/"+d.ID, "", nil); r.Status != http.StatusNotFound {
		t.Fatalf("an unknown path: %d", r.Status)
	}

	want := map[string]float64{
		`parley_http_requests_total{method="POST",route="/v1/bots/:slug/dialogs",status="` + strconv.Itoa(created.Status) + `"}`: 1,
		`parley_http_requests_total{method="POST",route="/v1/dialogs/:id/messages",status="200"}`:                                1,
		`parley_http_requests_total{method="POST",route="/v1/dialogs/:id/messages",status="409"}`:                                1,
		`parley_http_requests_total{method="GET",route="unmatched",status="404"}`:                                                1,
		`parley_http_request_duration_seconds_count{method="POST",route="/v1/dialogs/:id/messages"}`:                             2,
		`parley_turns_total{outcome="ok",update="start"}`:                                                                        1,
		`parley_turns_total{outcome="ok",update="message"}`:                                                                      1,
		`parley_turns_total{outcome="conflict",update="message"}`:                                                                1,
		`parley_turn_duration_seconds_count{outcome="ok",update="message"}`:                                                      1,
		`parley_dialogs_started_total`:                                                                                           1,
		`parley_dialogs_ended_total{status="completed"}`:                                                                         1,
		`parley_block_calls_total{outcome="ok"}`:                                                                                 1,
	}
	// The workflow stores the ended dialog, and the SDK's metrics are
	// copied into the registry, a little after the replies: wait for them.
	var text string
	deadline := time.Now().Add(20 * time.Second)
	for {
		text = scrapeMetrics(t, e)
		if missing := missingSeries(text, want); len(missing) == 0 && series(text, "temporal_request_total{") > 0 &&
			series(text, "temporal_workflow_task_execution_latency_seconds_count{") > 0 {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("after the dialog, /metrics lacks %v (or temporal_* SDK metrics):\n%s", missing, text)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if strings.Contains(text, "/no/such/path") {
		t.Error("an unknown path is a label; it must be counted as unmatched")
	}
}

// TestMetricsCountFailedBlocks: a block service that refuses (a 4xx) is a
// rejected block call and a failed CallBlock attempt Temporal does not retry.
func TestMetricsCountFailedBlocks(t *testing.T) {
	blocks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no", http.StatusBadRequest)
	}))
	defer blocks.Close()
	e := servertest.New(t, native.Dialect)
	if r := e.Do("PUT", "/v1/bots/metered/flow", e.A.Bearer(), fmt.Sprintf(metricsBot, blocks.URL)); r.Status != http.StatusOK {
		t.Fatalf("publishing: %d %s", r.Status, r.Body)
	}
	var d struct{ ID, Status string }
	e.Do("POST", "/v1/bots/metered/dialogs", e.A.Bearer(), map[string]any{}).JSON(t, &d)
	if r := e.Do("POST", "/v1/dialogs/"+d.ID+"/messages", e.A.Bearer(), map[string]any{"text": "Ann"}); r.Status != http.StatusOK {
		t.Fatalf("the answer: %d %s", r.Status, r.Body)
	}
	if got := waitEnded(t, e, d.ID); !strings.Contains(got, "The lookup failed.") {
		t.Fatalf("the dialog ended with %s", got)
	}
	text := scrapeMetrics(t, e)
	if missing := missingSeries(text, map[string]float64{
		`parley_block_calls_total{outcome="rejected"}`:                           1,
		`parley_activity_failures_total{activity="CallBlock",retryable="false"}`: 1,
	}); len(missing) > 0 {
		t.Fatalf("/metrics lacks %v:\n%s", missing, text)
	}
}

// waitEnded waits until the dialog completes (its block runs after the
// reply) and returns its view.
func waitEnded(t *testing.T, e *servertest.Env, id string) string {
	t.Helper()
	var d struct{ Status string }
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		r := e.Do("GET", "/v1/dialogs/"+id, e.A.Bearer(), nil)
		if r.JSON(t, &d); d.Status == "completed" {
			return string(r.Body)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the dialog did not complete: %s", r.Body)
		}
	}
}

func scrapeMetrics(t *testing.T, e *servertest.Env) string {
	t.Helper()
	r := e.Do("GET", "/metrics", "", nil)
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics = %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	return string(r.Body)
}

// missingSeries lists the series of want whose value in text is not the
// wanted one, with what text has.
func missingSeries(text string, want map[string]float64) []string {
	var missing []string
	for s, v := range want {
		if got, ok := value(text, s); !ok || got != v {
			missing = append(missing, fmt.Sprintf("%s = %v (have %v)", s, v, got))
		}
	}
	return missing
}

// value is a series' value in the Prometheus text format.
func value(text, s string) (float64, bool) {
	for _, line := range strings.Split(text, "\n") {
		if rest, ok := strings.CutPrefix(line, s+" "); ok {
			v, err := strconv.ParseFloat(rest, 64)
			return v, err == nil
		}
	}
	return 0, false
}

// series counts the lines of text that start with prefix and have a value
// above zero.
func series(text, prefix string) int {
	n := 0
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		if v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64); err == nil && v > 0 {
			n++
		}
	}
	return n
}
