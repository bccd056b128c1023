package metrics_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/metrics"
)

// scrape serves the metrics over real HTTP and returns the text.
func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics = %d %s", resp.StatusCode, body)
	}
	return string(body)
}

func newMetrics(t *testing.T) *metrics.Metrics {
	m := metrics.New()
	t.Cleanup(m.Close)
	return m
}

func TestLabelSets(t *testing.T) {
	m := newMetrics(t)
	m.ObserveHTTP("/v1/dialogs/:id", "GET", 200, 3*time.Millisecond)
	m.ObserveHTTP("/v1/dialogs/:id", "GET", 200, 3*time.Millisecond)
	m.ObserveHTTP("unmatched", "BREW", 404, time.Millisecond)
	m.ObserveHTTP("/healthz", "GET", 42, time.Millisecond)
	m.Turn("message", "ok", 5*time.Millisecond)
	m.Turn("message", "conflict", time.Millisecond)
	m.Turn("message", "something new", time.Millisecond)
	m.DialogStarted()
	m.DialogEnded("completed")
	m.DialogEnded("interrupted")
	m.DialogEnded("in-process") // not an end
	m.BlockCall("ok", 10*time.Millisecond)
	m.BlockCall("teapot", time.Millisecond)
	m.LLMCall("gpt-4o-mini", "ok", time.Second, 120, 30)
	m.LLMCall("", "rejected", time.Second, 0, 0)
	m.ActivityFailed("CallBlock", true)

	got := scrape(t, m)
	for _, want := range []string{
		`parley_http_requests_total{method="GET",route="/v1/dialogs/:id",status="200"} 2`,
		`parley_http_request_duration_seconds_count{method="GET",route="/v1/dialogs/:id"} 2`,
		`parley_http_requests_total{method="other",route="unmatched",status="404"} 1`,
		`parley_http_requests_total{method="GET",route="/healthz",status="other"} 1`,
		`parley_turns_total{outcome="ok",update="message"} 1`,
		`parley_turns_total{outcome="conflict",update="message"} 1`,
		`parley_turns_total{outcome="error",update="message"} 1`,
		`parley_turn_duration_seconds_bucket{outcome="ok",update="message",le="0.005"} 1`,
		`parley_dialogs_started_total 1`,
		`parley_dialogs_ended_total{status="completed"} 1`,
		`parley_dialogs_ended_total{status="interrupted"} 1`,
		`parley_block_calls_total{outcome="ok"} 1`,
		`parley_block_calls_total{outcome="error"} 1`,
		`parley_llm_calls_total{model="gpt-4o-mini",outcome="ok"} 1`,
		`parley_llm_calls_total{model="unknown",outcome="rejected"} 1`,
		`parley_llm_tokens_total{kind="prompt",model="gpt-4o-mini"} 120`,
		`parley_llm_tokens_total{kind="completion",model="gpt-4o-mini"} 30`,
		`parley_activity_failures_total{activity="CallBlock",retryable="true"} 1`,
	} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("the scrape has no %s", want)
		}
	}
	for _, collector := range []string{"go_goroutines ", "process_cpu_seconds_total "} {
		if !strings.Contains(got, "\n"+collector) {
			t.Errorf("the scrape has no %s", collector)
		}
	}
	for _, unwanted := range []string{`status="in-process"`, `outcome="something new"`, `outcome="teapot"`, `method="BREW"`} {
		if strings.Contains(got, unwanted) {
			t.Errorf("the scrape has %s", unwanted)
		}
	}
	if strings.Contains(got, `parley_llm_tokens_total{kind="prompt",model="unknown"}`) {
		t.Error("a call without tokens added a token series")
	}
}

func TestModelsAreBounded(t *testing.T) {
	m := newMetrics(t)
	for i := range 70 {
		m.LLMCall(fmt.Sprintf("model-%d", i), "ok", time.Millisecond, 1, 1)
	}
	if got, want := strings.Count(scrape(t, m), "parley_llm_calls_total{"), 64+1; got != want {
		t.Errorf("%d model series, want %d (64 models and other)", got, want)
	}
	if !strings.Contains(scrape(t, m), `parley_llm_calls_total{model="other",outcome="ok"} 6`) {
		t.Error("models past the bound are not counted as other")
	}
}

func TestNilMetricsDoNothing(t *testing.T) {
	var m *metrics.Metrics
	m.ObserveHTTP("/", "GET", 200, time.Millisecond)
	m.Turn("message", "ok", time.Millisecond)
	m.DialogStarted()
	m.DialogEnded("completed")
	m.BlockCall("ok", time.Millisecond)
	m.LLMCall("m", "ok", time.Millisecond, 1, 1)
	m.ActivityFailed("CallBlock", false)
	m.Close()
	if m.TemporalHandler() != nil || m.Registry() != nil {
		t.Error("nil metrics have a handler or a registry")
	}
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("nil metrics serve %d, want 404", rec.Code)
	}
}

// TestTemporalMetrics checks that what the SDK records through its
// handler reaches the registry, named as Prometheus names counters.
func TestTemporalMetrics(t *testing.T) {
	m := metrics.New()
	h := m.TemporalHandler().WithTags(map[string]string{"namespace": "default"})
	h.Counter("temporal_request").Inc(3)
	h.Timer("temporal_request_latency").Record(20 * time.Millisecond)
	m.Close() // copies what tally holds into the registry
	got := scrape(t, m)
	for _, want := range []string{
		`temporal_request_total{namespace="default"} 3`,
		`temporal_request_latency_seconds_bucket{namespace="default",le="0.02"} 1`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the scrape has no %s:\n%s", want, grep(got, "temporal_"))
		}
	}
}

func grep(text, prefix string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
