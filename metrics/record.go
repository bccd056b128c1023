package metrics

import (
	"strconv"
	"time"
)

// Label values. Values outside a label's known set are recorded as other
// (or error for outcomes), so no caller can grow a metric without bound.
const (
	OutcomeOK       = "ok"
	OutcomeRejected = "rejected" // final: a 4xx, a refused address; not retried
	OutcomeCanceled = "canceled" // the caller went away
	OutcomeError    = "error"

	other = "other"
	// maxModels bounds the model label: flows name models.
	maxModels = 64
)

// turnOutcomes are a turn's outcomes: ok, the codes of the workflow's
// refusals (see dialogs), canceled, and error for anything else.
var turnOutcomes = set(OutcomeOK, "conflict", "invalid", "not_found", "unsupported", "forbidden", OutcomeCanceled, OutcomeError)

// callOutcomes are the outcomes of block and LLM calls.
var callOutcomes = set(OutcomeOK, OutcomeRejected, OutcomeError)

// dialogEnds are the statuses a dialog ends with.
var dialogEnds = set("completed", "interrupted", "error")

var httpMethods = set("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE")

func set(values ...string) map[string]bool {
	m := make(map[string]bool, len(values))
	for _, v := range values {
		m[v] = true
	}
	return m
}

// oneOf is v when known has it, otherwise fallback.
func oneOf(v string, known map[string]bool, fallback string) string {
	if known[v] {
		return v
	}
	return fallback
}

// ObserveHTTP records a request: its route template (or "unmatched"), its
// method (other for methods HTTP does not define) and status.
func (m *Metrics) ObserveHTTP(route, method string, status int, d time.Duration) {
	if m == nil {
		return
	}
	if !httpMethods[method] {
		method = other
	}
	s := m.httpSeries.get(httpKey{route: route, method: method, status: status})
	s.requests.Inc()
	s.duration.Observe(d.Seconds())
}

func statusLabel(status int) string {
	if status < 100 || status > 599 {
		return other
	}
	return strconv.Itoa(status)
}

// Turn records a turn: the update sent (message, start, ...), its outcome
// (OutcomeOK, a refusal's code such as "conflict", OutcomeCanceled or
// OutcomeError) and how long the update took.
func (m *Metrics) Turn(update, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	outcome = oneOf(outcome, turnOutcomes, OutcomeError)
	m.turns.WithLabelValues(update, outcome).Inc()
	m.turnDuration.WithLabelValues(update, outcome).Observe(d.Seconds())
}

// DialogStarted counts a dialog whose workflow started.
func (m *Metrics) DialogStarted() {
	if m != nil {
		m.dialogsStarted.Inc()
	}
}

// DialogEnded counts a dialog that ended with status (completed,
// interrupted or error); other statuses are not ends and are ignored.
func (m *Metrics) DialogEnded(status string) {
	if m != nil && dialogEnds[status] {
		m.dialogsEnded.WithLabelValues(status).Inc()
	}
}

// BlockCall records a call of a block service.
func (m *Metrics) BlockCall(outcome string, d time.Duration) {
	if m == nil {
		return
	}
	outcome = oneOf(outcome, callOutcomes, OutcomeError)
	m.blockCalls.WithLabelValues(outcome).Inc()
	m.blockDuration.WithLabelValues(outcome).Observe(d.Seconds())
}

// LLMCall records a call of a language model and the tokens it used.
func (m *Metrics) LLMCall(model, outcome string, d time.Duration, promptTokens, completionTokens int) {
	if m == nil {
		return
	}
	if model == "" {
		model = "unknown"
	}
	model = m.models.value(model)
	outcome = oneOf(outcome, callOutcomes, OutcomeError)
	m.llmCalls.WithLabelValues(model, outcome).Inc()
	m.llmDuration.WithLabelValues(model, outcome).Observe(d.Seconds())
	if promptTokens > 0 {
		m.llmTokens.WithLabelValues(model, "prompt").Add(float64(promptTokens))
	}
	if completionTokens > 0 {
		m.llmTokens.WithLabelValues(model, "completion").Add(float64(completionTokens))
	}
}

// ActivityFailed counts a failed activity attempt; retryable says whether
// Temporal may try it again.
func (m *Metrics) ActivityFailed(activity string, retryable bool) {
	if m != nil {
		m.activityFailures.WithLabelValues(activity, strconv.FormatBool(retryable)).Inc()
	}
}
