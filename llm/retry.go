package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/internal/excerpt"
)

// Error is a failed call to a provider.
type Error struct {
	Model      string
	Endpoint   string        // the URL called
	StatusCode int           // HTTP status; 0 when none arrived or the stream failed
	Message    string        // the provider's own message, if it gave one
	RetryAfter time.Duration // from Retry-After or retry-after-ms, if the provider sent one
	Err        error         // the underlying cause (network, timeout, decoding), if any
	retryable  bool
}

func (e *Error) Error() string {
	parts := []string{fmt.Sprintf("llm: %s at %s", e.Model, e.Endpoint)}
	if e.StatusCode != 0 {
		parts = append(parts, fmt.Sprintf("%d %s", e.StatusCode, http.StatusText(e.StatusCode)))
	}
	if e.Message != "" {
		parts = append(parts, e.Message)
	}
	if e.Err != nil {
		parts = append(parts, e.Err.Error())
	}
	return strings.Join(parts, ": ")
}

func (e *Error) Unwrap() error { return e.Err }

// IsRetryable reports whether err is a transient provider failure (408,
// 429, 5xx, a broken connection or stream) that the same request may get
// past later. Timeouts and cancellations are not: the caller's budget is
// spent.
func IsRetryable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var e *Error
	return errors.As(err, &e) && e.retryable
}

// IsRejected reports whether the provider refused the request itself (a
// 4xx other than 408 and 429: a bad request, a wrong key, an unknown
// model), or redirected it, which a guarded client does not follow:
// sending it again would get the same answer, so the caller's retry
// policy must not.
func IsRejected(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.StatusCode/100 == 3 || e.StatusCode/100 == 4 && !retryableStatus(e.StatusCode))
}

// retryableStatus: a timeout or rate limit (408, 429) or a server error.
func retryableStatus(code int) bool {
	return code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500
}

// post sends body to path, once, and lets handle read a 2xx response.
// Retrying is the caller's (a Temporal activity's retry policy): a failure
// is an *Error that says whether another attempt may get past it
// (IsRetryable, IsRejected) and when the provider wants it (RetryAfter).
func (o *OpenAI) post(ctx context.Context, path, model string, body []byte, handle func(*http.Response) error) error {
	endpoint := o.baseURL + path
	timeout := o.timeout
	if timeout <= 0 {
		timeout = math.MaxInt64 // no bound but ctx's
	}
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	// fail reports a failure without a status. Even a transient one is not
	// retryable once our timeout fired: a model that stalled that long
	// would likely stall again.
	fail := func(err error, transient bool) error {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is already in our message
		}
		if ctx.Err() == nil && actx.Err() != nil {
			err = fmt.Errorf("no answer within %v: %w", o.timeout, context.DeadlineExceeded)
		}
		return &Error{Model: model, Endpoint: endpoint, Err: err, retryable: transient && actx.Err() == nil}
	}
	req, err := http.NewRequestWithContext(actx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return fail(err, false)
	}
	req.Header.Set("Content-Type", "application/json")
	if o.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+o.apiKey)
	}
	resp, err := o.client.Do(req)
	if err != nil {
		return fail(err, true) // nothing arrived, so sending it again is safe
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		text, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		return &Error{Model: model, Endpoint: endpoint, StatusCode: resp.StatusCode,
			Message:    errorMessage(text),
			RetryAfter: retryAfter(resp.Header, time.Now()),
			retryable:  retryableStatus(resp.StatusCode)}
	}
	if err := handle(resp); err != nil {
		var msg providerMessage
		if errors.As(err, &msg) {
			return &Error{Model: model, Endpoint: endpoint, Message: string(msg)}
		}
		// A cut stream may be asked again, but deltas already went to
		// onDelta: the caller's next attempt starts its text over.
		return fail(err, errors.Is(err, errInterrupted))
	}
	return nil
}

// errorMessage extracts the provider's message from an error body:
// {"error":{"message":...}} (OpenAI, OpenRouter, Ollama /v1) or
// {"error":"..."}; otherwise the body (a proxy's page); either quoted on
// one line and cut short (excerpt.Of).
func errorMessage(body []byte) string {
	var v struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &v) == nil && len(v.Error) > 0 {
		var obj struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(v.Error, &obj) == nil && obj.Message != "" {
			return excerpt.Of(obj.Message)
		}
		var s string
		if json.Unmarshal(v.Error, &s) == nil && s != "" {
			return excerpt.Of(s)
		}
	}
	return excerpt.Of(string(body))
}

// retryAfter reads Retry-After (seconds or an HTTP date), preferring
// OpenAI's finer retry-after-ms; 0 when absent or unreadable.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if ms, err := strconv.ParseFloat(h.Get("Retry-After-Ms"), 64); err == nil && ms > 0 {
		return time.Duration(ms * float64(time.Millisecond))
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if s, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(s, 0)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
