package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/knowledge"
	"github.com/parleyhq/parley/metrics"
)

// TestMetricsAddr: with PARLEY_METRICS_ADDR, GET /metrics is served on a
// listener of its own and not by the API; without it, by the API.
func TestMetricsAddr(t *testing.T) {
	m := metrics.New()
	t.Cleanup(m.Close)
	m.DialogStarted()
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	svc := &dialogs.Service{Metrics: m}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	t.Setenv("PARLEY_METRICS_ADDR", "")
	var out strings.Builder
	if err := serveMetrics(t.Context(), m, quiet, &out); err != nil || out.Len() > 0 {
		t.Fatalf("unset: serveMetrics = %v, said %q; want nothing served", err, out.String())
	}
	if got := apiStatus(t, svc, addr, "/metrics"); got != http.StatusOK {
		t.Errorf("unset: the API's GET /metrics = %d, want 200", got)
	}

	t.Setenv("PARLEY_METRICS_ADDR", "127.0.0.1:0")
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	if err := serveMetrics(ctx, m, quiet, &out); err != nil {
		t.Fatal(err)
	}
	url := strings.TrimSpace(strings.TrimPrefix(out.String(), "Metrics at "))
	body := get(t, url, http.StatusOK)
	if !strings.Contains(body, "\nparley_dialogs_started_total 1\n") {
		t.Errorf("%s does not serve the metrics:\n%s", url, body)
	}
	get(t, strings.TrimSuffix(url, "/metrics")+"/v1/bots/x/flow", http.StatusNotFound)
	if got := apiStatus(t, svc, addr, "/metrics"); got != http.StatusNotFound {
		t.Errorf("set: the API's GET /metrics = %d, want 404", got)
	}

	t.Setenv("PARLEY_METRICS_ADDR", "127.0.0.1:notaport")
	if err := serveMetrics(t.Context(), m, quiet, io.Discard); err == nil || !strings.Contains(err.Error(), "PARLEY_METRICS_ADDR") {
		t.Errorf("an address it cannot listen on: %v, want an error naming PARLEY_METRICS_ADDR", err)
	}
}

// apiStatus is the status the API's handler answers GET path with.
func apiStatus(t *testing.T, svc *dialogs.Service, addr net.Addr, path string) int {
	t.Helper()
	h, err := newHandler(nil, svc, slog.New(slog.NewTextHandler(io.Discard, nil)), t.TempDir(), &knowledge.Library{}, addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
	return rec.Code
}

func get(t *testing.T, url string, want int) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("GET %s = %d, want %d", url, resp.StatusCode, want)
	}
	return string(body)
}
