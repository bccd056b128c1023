package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/events"
	"github.com/parleyhq/parley/knowledge"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/metrics"
	"github.com/parleyhq/parley/netguard"
	"github.com/parleyhq/parley/secretbox"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/server/botone"
	"github.com/parleyhq/parley/server/flowise"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/replyx"
	"github.com/parleyhq/parley/server/widget"
	"github.com/parleyhq/parley/server/worken"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/webhooks"
	"github.com/parleyhq/parley/worker"
)

// quietSDKLogger keeps the SDK's chatter (worker started, polling...) out
// of the console: warnings and errors only.
func quietSDKLogger(l *slog.Logger) log.Logger {
	return log.NewStructuredLogger(slog.New(levelFilter{min: slog.LevelWarn, Handler: l.Handler()}))
}

type levelFilter struct {
	min slog.Level
	slog.Handler
}

func (f levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= f.min && f.Handler.Enabled(ctx, l)
}

// WithAttrs and WithGroup keep the filter on derived loggers (the SDK
// derives one per worker).
func (f levelFilter) WithAttrs(attrs []slog.Attr) slog.Handler {
	return levelFilter{min: f.min, Handler: f.Handler.WithAttrs(attrs)}
}

func (f levelFilter) WithGroup(name string) slog.Handler {
	return levelFilter{min: f.min, Handler: f.Handler.WithGroup(name)}
}

// dialTemporal connects to the Temporal server at hostPort, with the SDK's
// metrics. Requests to a server on a loopback address are not compressed:
// the SDK gzips every request (and the server its answers) by default,
// which on loopback only burns CPU (about 5% of a bench run) and adds to
// every update's round trip. Remote servers keep gzip.
func dialTemporal(hostPort, namespace string, l *slog.Logger, m *metrics.Metrics) (client.Client, error) {
	opts := client.Options{HostPort: hostPort, Namespace: namespace, Logger: quietSDKLogger(l),
		MetricsHandler: m.TemporalHandler()}
	if onLoopback(hostPort) {
		opts.ConnectionOptions.GrpcCompression = &client.GrpcCompressionNone{}
	}
	return client.Dial(opts)
}

// onLoopback reports whether hostPort names this machine: localhost or a
// loopback IP.
func onLoopback(hostPort string) bool {
	host, _, err := net.SplitHostPort(hostPort)
	if err != nil {
		host = hostPort
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// startWorker runs the dialog workflow and its activities.
// Block services may not be on internal addresses unless
// PARLEY_ALLOW_PRIVATE_URLS lists them. Text deltas and the turns the
// worker stores go to bus (nil: nowhere). m records activity failures,
// block and model calls, and ended dialogs. box opens the AI tokens
// admins add (worker.Model); nil: only PARLEY_LLM_* is used.
func startWorker(ctx context.Context, tc client.Client, db store.Store, bus events.Bus, lib *knowledge.Library, m *metrics.Metrics, box *secretbox.Box) (sdkworker.Worker, error) {
	policy, err := netguard.PolicyFromEnv()
	if err != nil {
		return nil, err
	}
	env, err := llm.FromEnv() // nil when PARLEY_LLM_BASE_URL is unset: llm nodes then say what to set
	if err != nil {
		return nil, err
	}
	model := worker.Model(db, box, env)
	bill, err := billingService(db, "")
	if err != nil {
		return nil, err
	}
	w := sdkworker.New(tc, engine.TaskQueue, worker.Options(m))
	acts := &worker.Activities{Store: db, Policy: policy, LLM: model, Bus: bus, Knowledge: lib, Metrics: m, Billing: bill}
	if box != nil {
		acts.BlockTokenKey = box.Derive(worker.BlockTokenLabel)
	}
	worker.Register(w, acts)
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("starting the worker: %w", err)
	}
	return w, nil
}

// newHandler is the HTTP API with every dialect, served at addr; uploads
// go under dataDir. Event streams read the service's bus; requests are
// counted in its metrics, which GET /metrics serves unless
// PARLEY_METRICS_ADDR serves them elsewhere.
func newHandler(db store.Store, svc *dialogs.Service, l *slog.Logger, dataDir string, lib *knowledge.Library, addr net.Addr, secrets *secretbox.Box) (http.Handler, error) {
	svc.Files = filesDir(dataDir)
	bill, err := billingService(db, publicURL(addr))
	if err != nil {
		return nil, err
	}
	rate, err := requestRate()
	if err != nil {
		return nil, err
	}
	routeLimits, err := server.ParseRouteLimits(os.Getenv("PARLEY_ROUTE_LIMITS"))
	if err != nil {
		return nil, fmt.Errorf("PARLEY_ROUTE_LIMITS: %w", err)
	}
	streams, err := server.ParseStreamsPerKey(os.Getenv("PARLEY_STREAMS_PER_KEY"))
	if err != nil {
		return nil, fmt.Errorf("PARLEY_STREAMS_PER_KEY: %w", err)
	}
	deps := server.Deps{RequestRate: rate, RouteLimits: routeLimits, StreamsPerKey: streams, Store: db, Dialogs: svc, Logger: l, Files: svc.Files, Bus: svc.Bus, Knowledge: lib, Secrets: secrets, Billing: bill,
		PublicURL: publicURL(addr), TrustedProxies: trustedProxies(),
		Metrics: svc.Metrics, MetricsOnMainRouter: metricsAddr() == ""}
	return server.New(deps, native.Dialect, botone.Dialect, worken.Dialect, widget.Dialect, replyx.Dialect, flowise.Dialect)
}

// serveMetrics serves GET /metrics on PARLEY_METRICS_ADDR, when it is set,
// until ctx ends. It fails at once when it cannot listen there.
func serveMetrics(ctx context.Context, m *metrics.Metrics, l *slog.Logger, stdout io.Writer) error {
	addr := metricsAddr()
	if addr == "" {
		return nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on PARLEY_METRICS_ADDR %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	go func() {
		if err := serveHTTP(ctx, ln, mux); err != nil {
			l.Error("serving metrics", "addr", addr, "error", err)
		}
	}()
	fmt.Fprintf(stdout, "Metrics at http://%s/metrics\n", ln.Addr())
	return nil
}

// httpLimits bound what a slow or idle client may hold of a server: a
// connection that has not sent its request's headers within readHeader
// is closed, as is a kept-alive one with no request for idle, and headers
// over maxHeader bytes are refused (431). There is no read or write
// timeout for a whole request: event streams and WebSockets last for
// hours; request bodies have deadlines of their own (server.BindJSON,
// server.ReadUpload). Tests shorten them.
var httpLimits = struct {
	readHeader, idle time.Duration
	maxHeader        int
}{readHeader: 10 * time.Second, idle: 2 * time.Minute, maxHeader: 64 << 10}

// serveHTTP serves until ctx ends, then shuts down gracefully.
func serveHTTP(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: httpLimits.readHeader, IdleTimeout: httpLimits.idle,
		MaxHeaderBytes: httpLimits.maxHeader}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// trimEvery is how often trimEvents deletes what the event log need not
// keep.
const trimEvery = time.Hour

// trimEvents deletes events older than retention from db's log, and the
// webhook deliveries of that age that are done, now and every trimEvery
// until ctx ends. Every worker process runs it; the deletes are
// idempotent, so several at once do no harm.
func trimEvents(ctx context.Context, db store.Store, retention time.Duration, l *slog.Logger) {
	tick := time.NewTicker(trimEvery)
	defer tick.Stop()
	for {
		before := time.Now().Add(-retention)
		if n, err := db.TrimEvents(ctx, before); err != nil && ctx.Err() == nil {
			l.Warn("trimming the event log failed", "error", err)
		} else if n > 0 {
			l.Info("trimmed the event log", "events", n, "retention", retention)
		}
		if n, err := db.TrimDeliveries(ctx, before); err != nil && ctx.Err() == nil {
			l.Warn("trimming webhook deliveries failed", "error", err)
		} else if n > 0 {
			l.Info("trimmed webhook deliveries", "deliveries", n, "retention", retention)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// startDispatcher delivers the event log to the project's webhooks from
// this process until ctx ends (see webhooks.Dispatcher). box opens the
// webhooks' secrets; outbound calls go through the netguard policy of
// PARLEY_ALLOW_PRIVATE_URLS. Events this process logs wake it at once;
// others' are found within a second. PARLEY_WEBHOOK_LEASE sets how long a
// dispatcher holds a webhook's stream or a retry it claimed.
func startDispatcher(ctx context.Context, db store.Store, box *secretbox.Box, l *slog.Logger) error {
	policy, err := netguard.PolicyFromEnv()
	if err != nil {
		return err
	}
	lease, err := webhookLease()
	if err != nil {
		return err
	}
	d := &webhooks.Dispatcher{Store: db, Box: box, Sender: &webhooks.Sender{Client: webhookClient(policy)},
		Data: native.WebhookData, Log: l, Lease: lease, Workers: webhookConns}
	go d.Run(ctx, wakeOnEvents(db))
	return nil
}

// wakeOnEvents returns a channel that has something whenever db has
// logged events since it was last read.
func wakeOnEvents(db store.EventLog) <-chan struct{} {
	wake := make(chan struct{}, 1)
	db.OnEvents(func(context.Context, []store.Event) {
		select {
		case wake <- struct{}{}:
		default:
		}
	})
	return wake
}

// webhookClient is policy's client for webhook attempts. It keeps as many
// idle connections to an endpoint as a dispatcher makes attempts at once
// (http.Transport keeps two), so a busy endpoint's connections are reused
// instead of dialled anew.
func webhookClient(policy netguard.Policy) *http.Client {
	c := policy.Client(webhooks.AttemptTimeout)
	if t, ok := c.Transport.(*http.Transport); ok {
		t.MaxIdleConnsPerHost = webhookConns
	}
	return c
}

// webhookConns is how many attempts a dispatcher makes at once, and so how
// many connections to one endpoint it keeps.
const webhookConns = 4

// secretKey is the key that seals webhook secrets: PARLEY_SECRET_KEY, or
// for parley dev (dataDir set) a key file it makes in its data directory.
// Without either it is nil: webhooks cannot be created or sent.
func secretKey(dataDir string) (*secretbox.Box, error) {
	key, err := secretbox.KeyFromEnv()
	if err == nil && key == nil && dataDir != "" {
		key, err = secretbox.LoadOrCreateKey(filepath.Join(dataDir, "secret.key"))
	}
	if err != nil || key == nil {
		return nil, err
	}
	return secretbox.FromEnv(key) // with PARLEY_SECRET_KEY_OLD, values sealed before a rotation still open
}
