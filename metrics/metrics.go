// Package metrics holds Parley's Prometheus metrics: one registry with the
// HTTP, turn, dialog, block, LLM and activity metrics, the Go runtime and
// process collectors, and the Temporal SDK's own metrics. Every method is
// a no-op on a nil *Metrics, so code and tests that do not care need no
// wiring.
package metrics

import (
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/uber-go/tally/v4"
	tallyprom "github.com/uber-go/tally/v4/prometheus"
	"go.temporal.io/sdk/client"
	contribtally "go.temporal.io/sdk/contrib/tally"
)

// Buckets are the latency buckets of every Parley histogram, in seconds:
// 1 ms to 10 s, the same as the Temporal SDK's timers.
var Buckets = []float64{.001, .002, .005, .01, .02, .05, .1, .2, .5, 1, 2, 5, 10}

// temporalInterval is how often the SDK's metrics (kept by tally) are
// copied into the registry: a scrape may see them this much late.
const temporalInterval = time.Second

// Metrics records Parley's metrics. It is safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec
	httpSeries   seriesCache

	turns        *prometheus.CounterVec
	turnDuration *prometheus.HistogramVec

	dialogsStarted prometheus.Counter
	dialogsEnded   *prometheus.CounterVec

	blockCalls    *prometheus.CounterVec
	blockDuration *prometheus.HistogramVec

	llmCalls    *prometheus.CounterVec
	llmDuration *prometheus.HistogramVec
	llmTokens   *prometheus.CounterVec
	models      boundedSet

	activityFailures *prometheus.CounterVec

	temporal      client.MetricsHandler
	temporalClose io.Closer
}

// New returns metrics on a registry of their own, with the Go runtime and
// process collectors. Close stops copying the Temporal SDK's metrics.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	f := factory{reg}
	m := &Metrics{
		reg: reg,
		httpRequests: f.counter("parley_http_requests_total",
			"HTTP requests by route template, method and status.", "route", "method", "status"),
		httpDuration: f.histogram("parley_http_request_duration_seconds",
			"Time to answer HTTP requests, by route template and method.", "route", "method"),
		turns: f.counter("parley_turns_total",
			"Dialog turns (workflow updates) by update and outcome: ok, a refusal's code, canceled or error.", "update", "outcome"),
		turnDuration: f.histogram("parley_turn_duration_seconds",
			"Time a turn's workflow update took, from sending it to its result, by update and outcome.", "update", "outcome"),
		dialogsStarted: f.counter("parley_dialogs_started_total", "Dialogs whose workflow started.").WithLabelValues(),
		dialogsEnded: f.counter("parley_dialogs_ended_total",
			"Dialogs that ended, by status: completed, interrupted or error.", "status"),
		blockCalls: f.counter("parley_block_calls_total",
			"Calls of block services by outcome: ok, rejected (final) or error (retried).", "outcome"),
		blockDuration: f.histogram("parley_block_call_duration_seconds",
			"Time block services took to answer, by outcome.", "outcome"),
		llmCalls: f.counter("parley_llm_calls_total",
			"Language model calls by model and outcome: ok, rejected (final) or error.", "model", "outcome"),
		llmDuration: f.histogram("parley_llm_call_duration_seconds",
			"Time language model calls took, by model and outcome.", "model", "outcome"),
		llmTokens: f.counter("parley_llm_tokens_total",
			"Tokens of language model calls by model and kind: prompt or completion.", "model", "kind"),
		models: boundedSet{max: maxModels},
		activityFailures: f.counter("parley_activity_failures_total",
			"Failed activity attempts by activity and whether Temporal retries them.", "activity", "retryable"),
	}
	m.httpSeries.vecs = m
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.temporal, m.temporalClose = temporalHandler(reg)
	return m
}

// temporalHandler is the SDK's metrics handler, kept in a tally scope
// whose reporter registers every SDK metric (temporal_*) on reg.
func temporalHandler(reg *prometheus.Registry) (client.MetricsHandler, io.Closer) {
	reporter := tallyprom.NewReporter(tallyprom.Options{
		Registerer:              reg,
		DefaultTimerType:        tallyprom.HistogramTimerType,
		DefaultHistogramBuckets: Buckets,
		// The default panics. A metric the SDK names twice with other
		// labels is left out rather than taking the process down.
		OnRegisterError: func(err error) {
			slog.Default().Warn("leaving out a Temporal SDK metric", "error", err)
		},
	})
	scope, closer := tally.NewRootScope(tally.ScopeOptions{
		CachedReporter:  reporter,
		Separator:       tallyprom.DefaultSeparator,
		SanitizeOptions: &contribtally.PrometheusSanitizeOptions,
	}, temporalInterval)
	return contribtally.NewMetricsHandler(contribtally.NewPrometheusNamingScope(scope)), closer
}

// Close stops copying the SDK's metrics into the registry, after a last copy.
func (m *Metrics) Close() {
	if m != nil {
		_ = m.temporalClose.Close()
	}
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Registry is where the metrics are registered, for tests and for more
// collectors.
func (m *Metrics) Registry() *prometheus.Registry {
	if m == nil {
		return nil
	}
	return m.reg
}

// TemporalHandler is the client.Options.MetricsHandler of every Temporal
// client: the SDK's metrics land in the same registry. Nil for nil
// metrics, which the SDK takes as none.
func (m *Metrics) TemporalHandler() client.MetricsHandler {
	if m == nil {
		return nil
	}
	return m.temporal
}

// factory registers vectors on one registry.
type factory struct{ reg prometheus.Registerer }

func (f factory) counter(name, help string, labels ...string) *prometheus.CounterVec {
	v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	f.reg.MustRegister(v)
	return v
}

func (f factory) histogram(name, help string, labels ...string) *prometheus.HistogramVec {
	v := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: Buckets}, labels)
	f.reg.MustRegister(v)
	return v
}

// seriesCache holds the HTTP series already made, so that a request costs
// a map lookup and two atomic adds, not the hashing and locking of
// WithLabelValues. The map is copied on write: routes, methods and
// statuses are few, and a request reads it without a lock.
type seriesCache struct {
	vecs *Metrics
	mu   sync.Mutex // held by writers
	m    atomic.Pointer[map[httpKey]httpSeries]
}

type httpKey struct {
	route, method string
	status        int
}

type httpSeries struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

func (c *seriesCache) get(k httpKey) httpSeries {
	if m := c.m.Load(); m != nil {
		if s, ok := (*m)[k]; ok {
			return s
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.m.Load()
	if old != nil {
		if s, ok := (*old)[k]; ok {
			return s
		}
	}
	s := httpSeries{
		requests: c.vecs.httpRequests.WithLabelValues(k.route, k.method, statusLabel(k.status)),
		duration: c.vecs.httpDuration.WithLabelValues(k.route, k.method),
	}
	next := make(map[httpKey]httpSeries, len(deref(old))+1)
	for key, v := range deref(old) {
		next[key] = v
	}
	next[k] = s
	c.m.Store(&next)
	return s
}

func deref(m *map[httpKey]httpSeries) map[httpKey]httpSeries {
	if m == nil {
		return nil
	}
	return *m
}

// boundedSet keeps at most max distinct label values; later ones are
// "other", so that values chosen outside Parley (the model names of flows)
// cannot grow the metrics without bound.
type boundedSet struct {
	max  int
	mu   sync.Mutex
	seen map[string]bool
}

func (b *boundedSet) value(v string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.seen[v] {
		return v
	}
	if len(b.seen) >= b.max {
		return other
	}
	if b.seen == nil {
		b.seen = map[string]bool{}
	}
	b.seen[v] = true
	return v
}
