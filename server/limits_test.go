package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/server/botone"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/replyx"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/server/widget"
	"github.com/parleyhq/parley/server/worken"
)

const limitsSite = "https://shop.example.com"

// limitsEnv is the API of every dialect that streams or creates dialogs,
// with the greeter bot published and a widget channel of it on limitsSite.
type limitsEnv struct {
	*servertest.Env
	siteToken string
}

func newLimitsEnv(t *testing.T, opts servertest.Options) *limitsEnv {
	t.Helper()
	e := servertest.NewWith(t, opts, native.Dialect, botone.Dialect, worken.Dialect, widget.Dialect, replyx.Dialect)
	if r := e.Do("PUT", "/v1/bots/greeter/flow", e.A.Bearer(), servertest.GreeterBot); r.Status != http.StatusOK {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	var ch struct {
		SiteToken string `json:"site_token"`
	}
	e.Do("POST", "/v1/bots/greeter/channels", e.A.Bearer(), map[string]any{"kind": "widget", "allowed_origins": []string{limitsSite}}).JSON(t, &ch)
	return &limitsEnv{Env: e, siteToken: ch.SiteToken}
}

// startVisitor starts a widget dialog as a page of limitsSite does: its
// UUID and visitor token, or the refusal's status and body.
func (e *limitsEnv) startVisitor(t *testing.T) (id, token string, r *servertest.Response) {
	t.Helper()
	h := http.Header{"Origin": {limitsSite}, widget.SiteTokenHeader: {e.siteToken}}
	r = e.DoWith("POST", "/widget/v1/dialogs", h, map[string]any{})
	if r.Status != http.StatusCreated {
		return "", "", r
	}
	var out struct {
		ID           string `json:"id"`
		VisitorToken string `json:"visitor_token"`
	}
	r.JSON(t, &out)
	return out.ID, out.VisitorToken, r
}

// refusal is a refused request's status and JSON body.
type refusal struct {
	status int
	body   map[string]any
	header http.Header
}

// code is the error code of a refusal in any dialect's shape here
// (native, ReplyX and Worken nest it under "error").
func (r refusal) code() string {
	e, _ := r.body["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

func (r refusal) message() string {
	if e, ok := r.body["error"].(map[string]any); ok {
		m, _ := e["message"].(string)
		return m
	}
	m, _ := r.body["message"].(string)
	return m
}

// openStream opens an event stream at path over real HTTP: a func that
// closes it when it answered 200, else its refusal.
func openStream(t *testing.T, e *servertest.Env, path string, h http.Header) (func(), refusal) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	req, err := http.NewRequestWithContext(ctx, "GET", e.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = h
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode == http.StatusOK {
		t.Cleanup(cancel)
		return func() { cancel(); resp.Body.Close() }, refusal{}
	}
	defer cancel()
	return nil, readRefusal(t, resp)
}

// openWS opens ReplyX's dialog WebSocket at path: like openStream.
func openWS(t *testing.T, e *servertest.Env, path, origin string) (func(), refusal) {
	t.Helper()
	opts := &websocket.DialOptions{HTTPHeader: http.Header{"Origin": {origin}}}
	conn, resp, err := websocket.Dial(t.Context(), "ws"+strings.TrimPrefix(e.URL, "http")+path, opts)
	if err == nil {
		t.Cleanup(func() { conn.CloseNow() })
		return func() { conn.CloseNow() }, refusal{}
	}
	if resp == nil {
		t.Fatalf("dialing %s: %v", path, err)
	}
	return nil, readRefusal(t, resp)
}

func readRefusal(t *testing.T, resp *http.Response) refusal {
	t.Helper()
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	r := refusal{status: resp.StatusCode, header: resp.Header}
	if err := json.Unmarshal(data, &r.body); err != nil {
		t.Fatalf("%d %s: not JSON", resp.StatusCode, data)
	}
	return r
}

// wantCapped fails unless r is the cap's 429 in a dialect's shape with
// code, saying how many are open and what the cap is.
func wantCapped(t *testing.T, what string, r refusal, code string, open, limit int) {
	t.Helper()
	msg := r.message()
	says := strconv.Itoa(open) + " event streams or WebSockets open, and at most " + strconv.Itoa(limit)
	if r.status != http.StatusTooManyRequests || r.code() != code || !strings.Contains(msg, says) || r.header.Get("Retry-After") == "" {
		t.Errorf("%s: %d %v (Retry-After %q), want 429 %s saying %q", what, r.status, r.body, r.header.Get("Retry-After"), code, says)
	}
}

// waitOpens retries open until it is let through: a slot frees once the
// server sees its client gone, which takes a moment after the close.
func waitOpens(t *testing.T, open func() (func(), refusal)) func() {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		closeIt, r := open()
		if closeIt != nil {
			return closeIt
		}
		if r.status != http.StatusTooManyRequests || time.Now().After(deadline) {
			t.Fatalf("the freed slot was never given back: %d %v", r.status, r.body)
		}
		<-tick.C
	}
}

// TestStreamsPerKey: one credential holds at most StreamsPerKey streams
// and WebSockets at once, counted together across dialects (native and
// Worken event streams, Worken's turn stream, ReplyX's WebSocket); one
// more is 429 in the dialect's shape saying how many are open; another
// credential is not affected; a slot frees when its client disconnects.
// A widget's visitor counts by the dialog, its event streams and
// WebSockets together.
func TestStreamsPerKey(t *testing.T) {
	const limit = 2
	e := newLimitsEnv(t, servertest.Options{StreamsPerKey: limit})
	key := http.Header{"Authorization": {e.A.Bearer()}}

	t.Run("an API key across dialects", func(t *testing.T) {
		first, _ := openStream(t, e.Env, "/v1/events", key)
		second, _ := openStream(t, e.Env, "/threads/events", key)
		if first == nil || second == nil {
			t.Fatal("the first two streams were refused")
		}
		_, r := openStream(t, e.Env, "/v1/events", key)
		wantCapped(t, "native", r, "RATE_LIMITED", limit, limit)
		_, r = openStream(t, e.Env, "/threads/events", key)
		wantCapped(t, "Worken", r, "rate_limit_exceeded", limit, limit)
		var chats []struct {
			ID            string `json:"id"`
			IntegrationID *string
		}
		e.Do("GET", "/chats", e.A.Bearer(), nil).JSON(t, &chats)
		turn := e.Do("POST", "/chats/"+chats[0].ID+"/threads/t-capped/stream", e.A.Bearer(),
			map[string]any{"messages": []any{map[string]any{"role": "user", "content": "Ada"}}})
		var body map[string]any
		turn.JSON(t, &body)
		wantCapped(t, "Worken's turn stream", refusal{status: turn.Status, body: body, header: turn.Header}, "rate_limit_exceeded", limit, limit)

		other, _ := openStream(t, e.Env, "/v1/events", http.Header{"Authorization": {e.B.Bearer()}})
		if other == nil {
			t.Error("another project's key was refused for this key's streams")
		}
		first()
		waitOpens(t, func() (func(), refusal) { return openStream(t, e.Env, "/v1/events", key) })
	})

	t.Run("a user across Basic and a JWT's WebSocket", func(t *testing.T) {
		basic := http.Header{"Authorization": {e.A.Basic()}}
		var login struct {
			AccessToken string `json:"access_token"`
		}
		e.Do("POST", "/api/auth/login", "", map[string]any{"email": e.A.Email, "password": e.A.Password}).JSON(t, &login)
		id, _, r := e.startVisitor(t)
		if id == "" {
			t.Fatalf("starting a widget dialog: %d %s", r.Status, r.Body)
		}
		panel := "/ws/dialogs/" + id + "?token=" + login.AccessToken
		ws, _ := openWS(t, e.Env, panel, "")
		stream, _ := openStream(t, e.Env, "/v1/dialogs/"+id+"/events", basic)
		if ws == nil || stream == nil {
			t.Fatal("the first WebSocket or stream was refused")
		}
		_, refused := openWS(t, e.Env, panel, "")
		wantCapped(t, "ReplyX's WebSocket", refused, "RATE_LIMIT_EXCEEDED", limit, limit)
		_, refused = openStream(t, e.Env, "/v1/dialogs/"+id+"/events", basic)
		wantCapped(t, "native, by Basic", refused, "RATE_LIMITED", limit, limit)
		ws()
		waitOpens(t, func() (func(), refusal) { return openWS(t, e.Env, panel, "") })
	})

	t.Run("a widget visitor by dialog", func(t *testing.T) {
		id, token, r := e.startVisitor(t)
		if id == "" {
			t.Fatalf("starting a widget dialog: %d %s", r.Status, r.Body)
		}
		page := http.Header{"Origin": {limitsSite}}
		events := "/widget/v1/dialogs/" + id + "/events?visitor_token=" + url.QueryEscape(token)
		first, _ := openStream(t, e.Env, events, page)
		ws, _ := openWS(t, e.Env, "/ws/dialogs/"+id+"?token="+url.QueryEscape(e.siteToken), limitsSite)
		if first == nil || ws == nil {
			t.Fatal("the visitor's first stream or WebSocket was refused")
		}
		_, refused := openStream(t, e.Env, events, page)
		wantCapped(t, "the widget", refused, "RATE_LIMITED", limit, limit)

		other, otherToken, _ := e.startVisitor(t)
		elsewhere, _ := openStream(t, e.Env, "/widget/v1/dialogs/"+other+"/events?visitor_token="+url.QueryEscape(otherToken), page)
		if elsewhere == nil {
			t.Error("another visitor was refused for this visitor's streams")
		}
	})
}

// TestStreamsPerKeyOff: a negative cap (PARLEY_STREAMS_PER_KEY=0) caps
// nothing.
func TestStreamsPerKeyOff(t *testing.T) {
	e := servertest.NewWith(t, servertest.Options{StreamsPerKey: -1}, native.Dialect)
	for i := range server.DefaultStreamsPerKey + 1 {
		if closeIt, r := openStream(t, e, "/v1/events", http.Header{"Authorization": {e.A.Bearer()}}); closeIt == nil {
			t.Fatalf("stream %d refused with no cap: %d %v", i+1, r.status, r.body)
		}
	}
}

// TestParseStreamsPerKey reads PARLEY_STREAMS_PER_KEY.
func TestParseStreamsPerKey(t *testing.T) {
	for v, want := range map[string]int{"": 0, "0": -1, "off": -1, "5": 5, " 40 ": 40} {
		if got, err := server.ParseStreamsPerKey(v); err != nil || got != want {
			t.Errorf("ParseStreamsPerKey(%q) = %d, %v; want %d", v, got, err, want)
		}
	}
	for _, v := range []string{"-1", "many", "2.5"} {
		if _, err := server.ParseStreamsPerKey(v); err == nil {
			t.Errorf("ParseStreamsPerKey(%q) took it", v)
		}
	}
}
