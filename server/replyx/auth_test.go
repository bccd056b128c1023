package replyx_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/replyx"
	"github.com/parleyhq/parley/server/servertest"
)

type errorBody struct {
	Error struct {
		Code, Message string
		Details       map[string]any
	}
}

type signedIn struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	User        struct {
		ID      int64
		Email   string
		IsAdmin bool `json:"is_admin"`
		Balance float64
	}
}

// wantError checks a ReplyX error: its status, code and, when given, the
// field at fault.
func wantError(t *testing.T, r *servertest.Response, status int, code, field string) {
	t.Helper()
	var e errorBody
	r.JSON(t, &e)
	if r.Status != status || e.Error.Code != code || e.Error.Message == "" || (field != "" && e.Error.Details["field"] != field) {
		t.Errorf("got %d %s, want %d %s (field %q)", r.Status, r.Body, status, code, field)
	}
}

// clock is a movable clock for the tokens.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// TestRegisterLoginLogout: the document's register and login bodies, the
// JWT accepted by the native API, logout refusing it at once, and an
// expired token's TOKEN_EXPIRED.
func TestRegisterLoginLogout(t *testing.T) {
	clk := &clock{now: time.Now()}
	e := servertest.NewWith(t, servertest.Options{TokenClock: clk.Now}, native.Dialect, replyx.Dialect)
	const register = `{"email": "user@example.com", "password": "password123", "first_name": "John", "last_name": "Doe"}`
	var reg signedIn
	r := e.DoWith("POST", "/api/auth/register", http.Header{"Content-Type": {"application/json"}}, []byte(register))
	r.JSON(t, &reg)
	if r.Status != http.StatusOK || reg.TokenType != "bearer" || reg.User.Email != "user@example.com" || reg.User.ID == 0 ||
		strings.Count(reg.AccessToken, ".") != 2 {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}

	const login = `{"email": "user@example.com", "password": "password123"}`
	var in signedIn
	r = e.DoWith("POST", "/api/auth/login", http.Header{"Content-Type": {"application/json"}}, []byte(login))
	r.JSON(t, &in)
	if r.Status != http.StatusOK || in.User.ID != reg.User.ID || in.AccessToken == reg.AccessToken {
		t.Fatalf("login: %d %s", r.Status, r.Body)
	}
	bearer := "Bearer " + in.AccessToken

	// The JWT signs in to the native API, in the new project.
	if r := e.Do("GET", "/v1/bots", bearer, nil); r.Status != http.StatusOK || strings.TrimSpace(string(r.Body)) != `{"bots":[]}` {
		t.Errorf("the native API with the JWT: %d %s", r.Status, r.Body)
	}
	if r := e.Do("GET", "/v1/bots", e.A.Bearer(), nil); r.Status != http.StatusOK {
		t.Errorf("project A's key: %d %s", r.Status, r.Body)
	}

	t.Run("logout refuses the token at once, not the other one", func(t *testing.T) {
		if r := e.Do("POST", "/api/auth/logout", bearer, nil); r.Status != http.StatusOK {
			t.Fatalf("logout: %d %s", r.Status, r.Body)
		}
		wantError(t, e.Do("GET", "/v1/bots", bearer, nil), http.StatusUnauthorized, "UNAUTHORIZED", "")
		wantError(t, e.Do("POST", "/api/auth/logout", bearer, nil), http.StatusUnauthorized, "UNAUTHORIZED", "")
		if r := e.Do("GET", "/v1/bots", "Bearer "+reg.AccessToken, nil); r.Status != http.StatusOK {
			t.Errorf("register's token after the login's logout: %d %s", r.Status, r.Body)
		}
	})

	t.Run("an expired token", func(t *testing.T) {
		clk.add(25 * time.Hour)
		r := e.Do("POST", "/api/auth/logout", "Bearer "+reg.AccessToken, nil)
		wantError(t, r, http.StatusUnauthorized, "TOKEN_EXPIRED", "")
	})

	t.Run("a token another server signed", func(t *testing.T) {
		other := servertest.NewWith(t, servertest.Options{TokenClock: clk.Now}, native.Dialect, replyx.Dialect)
		var theirs signedIn
		other.DoWith("POST", "/api/auth/register", http.Header{"Content-Type": {"application/json"}}, []byte(register)).JSON(t, &theirs)
		wantError(t, e.Do("POST", "/api/auth/logout", "Bearer "+theirs.AccessToken, nil), http.StatusUnauthorized, "UNAUTHORIZED", "")
	})
}

// TestAuthErrors: the document's error codes for bad sign-ups and sign-ins.
func TestAuthErrors(t *testing.T) {
	e := servertest.New(t, native.Dialect, replyx.Dialect)
	body := func(email, password string) map[string]any {
		return map[string]any{"email": email, "password": password, "first_name": "Ann"}
	}
	if r := e.Do("POST", "/api/auth/register", "", body("ann@example.com", "correct horse")); r.Status != http.StatusOK {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	for _, c := range []struct {
		name, path  string
		body        any
		status      int
		code, field string
	}{
		{"taken email", "/api/auth/register", body("ANN@example.com", "another horse"), 409, "CONFLICT", "email"},
		{"not an email", "/api/auth/register", body("ann", "correct horse"), 422, "VALIDATION_ERROR", "email"},
		{"short password", "/api/auth/register", body("bob@example.com", "short"), 422, "VALIDATION_ERROR", "password"},
		{"one character repeated", "/api/auth/register", body("bob@example.com", "aaaaaaaaaa"), 422, "VALIDATION_ERROR", "password"},
		{"the email as password", "/api/auth/register", body("bob@example.com", "bob@example.com"), 422, "VALIDATION_ERROR", "password"},
		{"not JSON", "/api/auth/register", "email=x", 400, "BAD_REQUEST", ""},
		{"wrong password", "/api/auth/login", body("ann@example.com", "wrong horse"), 401, "INVALID_CREDENTIALS", ""},
		{"unknown email", "/api/auth/login", body("nobody@example.com", "correct horse"), 401, "INVALID_CREDENTIALS", ""},
		{"logout without a token", "/api/auth/logout", nil, 401, "UNAUTHORIZED", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, e.Do("POST", c.path, "", c.body), c.status, c.code, c.field)
		})
	}
	t.Run("logout with an API key", func(t *testing.T) {
		wantError(t, e.Do("POST", "/api/auth/logout", e.A.Bearer(), nil), http.StatusUnprocessableEntity, "VALIDATION_ERROR", "")
	})
}
