package replyx_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/replyx"
	"github.com/parleyhq/parley/server/servertest"
)

// TestRateLimits: every answer carries the X-RateLimit headers; login
// reaches 429 with Retry-After after its budget (per address and email:
// another email still gets in), and recovers once the period passes.
func TestRateLimits(t *testing.T) {
	e := servertest.NewWith(t, servertest.Options{RouteLimits: map[string]server.RouteLimit{
		"login": {N: 2, Period: 2 * time.Second}}}, native.Dialect, replyx.Dialect)
	signUp(t, e, "ann@example.com", "password123")
	signUp(t, e, "bob@example.com", "password123")

	login := func(email string) *servertest.Response {
		return e.Do("POST", "/api/auth/login", "", map[string]any{"email": email, "password": "password123"})
	}
	for i := range 2 {
		r := login("ann@example.com")
		if r.Status != http.StatusOK || r.Header.Get("X-RateLimit-Limit") != "2" || r.Header.Get("X-RateLimit-Remaining") != strconv.Itoa(1-i) {
			t.Fatalf("login %d: %d, X-RateLimit-Limit %q, -Remaining %q", i+1, r.Status, r.Header.Get("X-RateLimit-Limit"), r.Header.Get("X-RateLimit-Remaining"))
		}
		reset, err := strconv.ParseInt(r.Header.Get("X-RateLimit-Reset"), 10, 64)
		if err != nil || reset < time.Now().Unix() || reset > time.Now().Add(3*time.Second).Unix() {
			t.Errorf("X-RateLimit-Reset %q", r.Header.Get("X-RateLimit-Reset"))
		}
	}
	r := login("ann@example.com")
	wantError(t, r, http.StatusTooManyRequests, "RATE_LIMIT_EXCEEDED", "")
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 2 {
		t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	if r := login("bob@example.com"); r.Status != http.StatusOK {
		t.Errorf("another email from the same address: %d %s", r.Status, r.Body)
	}
	time.Sleep(1100 * time.Millisecond) // one token back: 2 per 2 s
	if r := login("ann@example.com"); r.Status != http.StatusOK {
		t.Errorf("after a second: %d %s", r.Status, r.Body)
	}

	t.Run("every route", func(t *testing.T) {
		r := e.Do("GET", "/api/users/me", "", nil) // even a refused one
		if r.Header.Get("X-RateLimit-Limit") != "100" || r.Header.Get("X-RateLimit-Remaining") == "" {
			t.Errorf("X-RateLimit headers on a 401: %v", r.Header)
		}
	})
}

func TestParseRouteLimits(t *testing.T) {
	got, err := server.ParseRouteLimits(" login=5/5m, api=100/m,upload=off")
	if err != nil || got["login"] != (server.RouteLimit{N: 5, Period: 5 * time.Minute}) ||
		got["api"] != (server.RouteLimit{N: 100, Period: time.Minute}) || got["upload"] != (server.RouteLimit{}) {
		t.Errorf("parsed %+v, %v", got, err)
	}
	for _, bad := range []string{"login", "login=5", "login=x/5m", "login=5/soon", "login=-1/5m"} {
		if _, err := server.ParseRouteLimits(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
