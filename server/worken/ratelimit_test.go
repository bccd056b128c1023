package worken_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/server/worken"
)

// TestRateLimit: over PARLEY_RATE_LIMIT a key's request is 429 with
// Retry-After, in each dialect's error shape; another key is not held
// back by it.
func TestRateLimit(t *testing.T) {
	e := servertest.NewWith(t, servertest.Options{RequestRate: server.RequestRate{PerSecond: 0.5, Burst: 3}}, native.Dialect, worken.Dialect)
	for i := range 3 {
		if r := e.Do("GET", "/bots", e.A.Bearer(), nil); r.Status != http.StatusOK {
			t.Fatalf("request %d within the burst: %d %s", i+1, r.Status, r.Body)
		}
	}
	r := e.Do("GET", "/bots", e.A.Bearer(), nil)
	body := wantError(t, r, http.StatusTooManyRequests, "Retry-After")
	if body.Error.Code != "rate_limit_exceeded" {
		t.Errorf("Worken's code %q, want rate_limit_exceeded", body.Error.Code)
	}
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 2 {
		t.Errorf("Retry-After %q, want 1 or 2 seconds (one token at 0.5 a second)", r.Header.Get("Retry-After"))
	}
	native := e.Do("GET", "/v1/bots", e.A.Bearer(), nil)
	if native.Status != http.StatusTooManyRequests || native.Header.Get("Retry-After") == "" {
		t.Errorf("the native API with the same key: %d (Retry-After %q) %s", native.Status, native.Header.Get("Retry-After"), native.Body)
	}
	if r := e.Do("GET", "/bots", e.B.Bearer(), nil); r.Status != http.StatusOK {
		t.Errorf("another key: %d %s", r.Status, r.Body)
	}
}
