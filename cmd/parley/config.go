package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	sdkworker "go.temporal.io/sdk/worker"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/flows"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/postgres"
	"github.com/parleyhq/parley/store/sqlite"
)

// envOr returns the environment variable, or def when it is unset.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// stringFlag declares a flag whose default comes from an environment variable.
func stringFlag(fs *flag.FlagSet, name, env, def, usage string) *string {
	return fs.String(name, envOr(env, def), fmt.Sprintf("%s (env %s)", usage, env))
}

// openStore opens PostgreSQL for postgres:// URLs and SQLite otherwise (a
// file path), running migrations.
func openStore(ctx context.Context, dsn string) (store.Store, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return postgres.Open(ctx, dsn)
	}
	return sqlite.Open(ctx, strings.TrimPrefix(dsn, "sqlite://"))
}

// newLogger logs to stderr: text for people, or JSON lines for a log
// collector with PARLEY_LOG_FORMAT=json.
func newLogger() *slog.Logger {
	return loggerTo(os.Stderr, os.Getenv("PARLEY_LOG_FORMAT"))
}

func loggerTo(w io.Writer, format string) *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelInfo}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts))
	case "", "text":
		return slog.New(slog.NewTextHandler(w, opts))
	}
	l := slog.New(slog.NewTextHandler(w, opts))
	l.Warn("PARLEY_LOG_FORMAT must be text or json; logging text", "got", format)
	return l
}

// engineSettings reads the engine limits from PARLEY_INACTIVITY_TIMEOUT (a
// duration like 24h or 3d) and PARLEY_STEP_LIMIT.
func engineSettings() (engine.Settings, error) {
	var s engine.Settings
	if v := os.Getenv("PARLEY_INACTIVITY_TIMEOUT"); v != "" {
		d, err := flows.ParseDuration(v)
		if err != nil {
			return s, fmt.Errorf("PARLEY_INACTIVITY_TIMEOUT: %v", err)
		}
		s.InactivityTimeout = d
	}
	if v := os.Getenv("PARLEY_STEP_LIMIT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return s, fmt.Errorf("PARLEY_STEP_LIMIT must be a positive whole number, got %q", v)
		}
		s.StepLimit = n
	}
	return s, nil
}

// publicURL is where clients reach the API: PARLEY_PUBLIC_URL (behind a
// proxy or a domain), else the listen address, with an unspecified host
// (":8080") as localhost.
func publicURL(addr net.Addr) string {
	if v := os.Getenv("PARLEY_PUBLIC_URL"); v != "" {
		return strings.TrimSuffix(v, "/")
	}
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// metricsAddr is PARLEY_METRICS_ADDR: where GET /metrics is served on a
// listener of its own, kept off the API's address (a private interface,
// say). Empty: the API serves it, and parley worker serves none.
func metricsAddr() string {
	return strings.TrimSpace(os.Getenv("PARLEY_METRICS_ADDR"))
}

// trustedProxies lists PARLEY_TRUSTED_PROXIES (comma-separated IPs or
// CIDRs): the proxies whose X-Forwarded-For names the client. None by
// default, so no client can choose the address its dialog records.
func trustedProxies() []string {
	var out []string
	for _, p := range strings.Split(os.Getenv("PARLEY_TRUSTED_PROXIES"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// requestRate reads PARLEY_RATE_LIMIT: the requests one credential (an API
// key, a user) may make a second, twice that at once; unset, 0 or "off":
// no limit.
func requestRate() (server.RequestRate, error) {
	v := strings.TrimSpace(os.Getenv("PARLEY_RATE_LIMIT"))
	if v == "" || v == "off" {
		return server.RequestRate{}, nil
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || n < 0 || math.IsInf(n, 0) || math.IsNaN(n) {
		return server.RequestRate{}, fmt.Errorf("PARLEY_RATE_LIMIT is requests a second per API key, like 20 (or off); got %q", v)
	}
	if n == 0 {
		return server.RequestRate{}, nil
	}
	return server.RequestRate{PerSecond: n, Burst: max(1, int(2*n))}, nil
}

// defaultEventRetention is how long the event log keeps events unless
// PARLEY_EVENT_RETENTION says otherwise.
const defaultEventRetention = 7 * 24 * time.Hour

// eventRetention reads PARLEY_EVENT_RETENTION (a duration like 72h or 7d):
// how long the event log keeps events for streams to resume from.
func eventRetention() (time.Duration, error) {
	v := os.Getenv("PARLEY_EVENT_RETENTION")
	if v == "" {
		return defaultEventRetention, nil
	}
	d, err := flows.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("PARLEY_EVENT_RETENTION must be a positive duration like 72h or 7d, got %q", v)
	}
	return d, nil
}

// webhookLease reads PARLEY_WEBHOOK_LEASE (a duration like 30s or 2m): how
// long a dispatcher holds a webhook's stream, or a retry it claimed, before
// another process may send them; what a process that died was sending goes
// again after it. Unset: 0, the dispatcher's default (a minute).
func webhookLease() (time.Duration, error) {
	v := os.Getenv("PARLEY_WEBHOOK_LEASE")
	if v == "" {
		return 0, nil
	}
	d, err := flows.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("PARLEY_WEBHOOK_LEASE must be a positive duration like 30s or 2m, got %q", v)
	}
	return d, nil
}

// defaultWorkflowCache is how many dialogs' workflows a worker process
// keeps in memory between turns unless PARLEY_WORKFLOW_CACHE says
// otherwise (the SDK's own default, 10,000, costs several hundred MiB).
const defaultWorkflowCache = 2000

// workflowCache reads PARLEY_WORKFLOW_CACHE: the dialogs whose workflows
// a worker keeps in memory between turns. A dialog evicted from it pays a
// replay of its history on its next turn (milliseconds); the memory of
// dialogs that wait stays bounded however many there are.
func workflowCache() (int, error) {
	v := strings.TrimSpace(os.Getenv("PARLEY_WORKFLOW_CACHE"))
	if v == "" {
		return defaultWorkflowCache, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("PARLEY_WORKFLOW_CACHE is the number of workflows a worker keeps in memory, like 2000; got %q", v)
	}
	return n, nil
}

// setWorkflowCache applies PARLEY_WORKFLOW_CACHE. The SDK reads the size
// once per process, when its first worker starts; in parley dev that is
// one of the embedded Temporal server's own, so this runs before the
// server starts.
func setWorkflowCache() error {
	n, err := workflowCache()
	if err != nil {
		return err
	}
	sdkworker.SetStickyWorkflowCacheSize(n)
	return nil
}
