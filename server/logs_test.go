package server_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/server/botone"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
)

// syncBuffer is a bytes.Buffer the server's goroutines may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestRequestLogs: every request is logged once with its id, route
// template, status, duration and project; the id is the client's when it
// sends a usable one, and is returned.
func TestRequestLogs(t *testing.T) {
	var logs syncBuffer
	e := servertest.NewWith(t, servertest.Options{Log: &logs}, native.Dialect)
	e.Do("PUT", "/v1/bots/echo/flow", e.A.Bearer(), echoBot)
	header := http.Header{"Authorization": {e.A.Bearer()}, server.RequestIDHeader: {"req-42"}}
	r := e.DoWith("POST", "/v1/bots/echo/dialogs", header, map[string]any{})
	if got := r.Header.Get(server.RequestIDHeader); got != "req-42" {
		t.Errorf("returned request id %q, want the client's", got)
	}
	made := e.Do("GET", "/v1/nothing", "", nil).Header.Get(server.RequestIDHeader)
	bad := e.DoWith("GET", "/healthz", http.Header{server.RequestIDHeader: {"two words"}}, nil).Header.Get(server.RequestIDHeader)
	if made == "" || bad == "" || bad == "two words" {
		t.Errorf("made ids %q and %q, want new ones", made, bad)
	}

	lines := requestLines(t, logs.String())
	want := map[string]string{"req-42": "/v1/bots/:slug/dialogs", made: "unmatched", bad: "/healthz"}
	for id, route := range want {
		l, ok := lines[id]
		if !ok || l["route"] != route || l["status"] == nil || l["duration_ms"] == nil {
			t.Errorf("request %s: logged %v, want route %s", id, l, route)
		}
	}
	if p := lines["req-42"]["project"]; p != float64(e.A.ID) {
		t.Errorf("project %v, want %d", p, e.A.ID)
	}
}

// requestLines indexes the "request" log lines by request id.
func requestLines(t *testing.T, logs string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var l map[string]any
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatalf("a log line is not JSON: %q", line)
		}
		if id, _ := l["request_id"].(string); l["msg"] == "request" {
			out[id] = l
		}
	}
	return out
}

// TestSecretsNeverLogged sends every kind of secret a request carries
// (a password, an API key, a block token, Authorization headers, right
// and wrong) and finds none of them in the logs.
func TestSecretsNeverLogged(t *testing.T) {
	var logs syncBuffer
	e := servertest.NewWith(t, servertest.Options{Log: &logs}, native.Dialect, botone.Dialect)
	wrongBasic := "Basic " + base64.StdEncoding.EncodeToString([]byte(e.A.Email+":hunter2-wrong"))
	const token = "blocktoken-0123456789abcdefghijklmnopqrstuvwxyz"
	e.Do("PUT", "/v1/bots/echo/flow", e.A.Basic(), echoBot)
	e.Do("POST", "/v1/bots/echo/dialogs", e.A.Bearer(), map[string]any{})
	e.Do("GET", "/api/v2/conversations", wrongBasic, nil)
	e.Do("GET", "/v1/dialogs/1", "Bearer sk-not-a-key-but-secret-all-the-same", nil)
	e.Do("POST", "/api/vertex/v1/complete", "", map[string]any{"token": token, "data": nil})
	e.Do("POST", "/api/vertex/v1/send_message", "", []byte(`{"token": "`+token+`", "text": `)) // malformed

	got := logs.String()
	if !strings.Contains(got, `"msg":"request"`) {
		t.Fatalf("nothing was logged: %q", got)
	}
	for name, secret := range map[string]string{
		"password": e.A.Password, "wrong password": "hunter2-wrong", "API key": e.A.APIKey,
		"unknown key": "sk-not-a-key-but-secret-all-the-same", "block token": token,
		"Basic header": strings.TrimPrefix(e.A.Basic(), "Basic "), "Authorization": "Authorization",
	} {
		if strings.Contains(got, secret) {
			t.Errorf("the logs hold the %s", name)
		}
	}
}
