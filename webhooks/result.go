package webhooks

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/internal/excerpt"
)

// result reads an attempt's response; head is the start of its body.
func result(resp *http.Response, head []byte, now time.Time) Result {
	r := Result{Status: resp.StatusCode}
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		r.Delivered = true
		return r
	case code >= 300 && code < 400:
		r.Err = fmt.Errorf("endpoint answered %s, a redirect to %q, which is not followed: register the final URL instead",
			resp.Status, resp.Header.Get("Location"))
		return r
	case code == http.StatusGone:
		r.Gone = true
	case code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable:
		r.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), now)
	}
	r.Err = fmt.Errorf("endpoint answered %s%s", resp.Status, snippet(head))
	return r
}

// snippet quotes the start of a response body on one line, or is empty.
func snippet(body []byte) string {
	if s := excerpt.Of(string(body)); s != "" {
		return ": " + s
	}
	return ""
}

// retryAfter parses a Retry-After value (delay seconds or an HTTP date)
// into a wait from now; 0 when absent, unparsable or past.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	secs, err := strconv.ParseUint(v, 10, 64)
	switch {
	case err == nil && secs < uint64(maxRetryAfter/time.Second):
		d = time.Duration(secs) * time.Second
	case err == nil || errors.Is(err, strconv.ErrRange):
		d = maxRetryAfter // digits, and too many of them
	default:
		if t, err := http.ParseTime(v); err == nil {
			d = t.Sub(now)
		}
	}
	return min(max(d, 0), maxRetryAfter)
}
