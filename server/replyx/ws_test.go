package replyx_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/internal/npmtest"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/replyx"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/server/widget"
	"github.com/parleyhq/parley/store"
)

const (
	wsSite      = "https://shop.example"
	wsOtherSite = "https://evil.example"
)

// wsEnv is servertest.DeskBot in project A with a widget channel for
// site, a JWT of A's user, and a dialog the widget started, second in the
// billing queue once it asks for a person.
type wsEnv struct {
	*servertest.Env
	jwt, siteToken string
	d              *store.Dialog
}

// newWSEnv starts the API with the ws budget at limit messages a minute
// and a __ping__ every 300 ms.
func newWSEnv(t *testing.T, limit int) *wsEnv {
	t.Helper()
	interval := replyx.PingInterval
	replyx.PingInterval = 300 * time.Millisecond
	t.Cleanup(func() { replyx.PingInterval = interval })
	e := servertest.NewWith(t, servertest.Options{RouteLimits: map[string]server.RouteLimit{"ws": {N: limit, Period: time.Minute}}},
		native.Dialect, widget.Dialect, replyx.Dialect)
	if r := e.Do("PUT", "/v1/bots/desk/flow", e.A.Bearer(), servertest.DeskBot); r.Status != http.StatusOK {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	var ch struct {
		SiteToken string `json:"site_token"`
	}
	r := e.Do("POST", "/v1/bots/desk/channels", e.A.Bearer(), map[string]any{"kind": "widget", "allowed_origins": []string{wsSite}})
	r.JSON(t, &ch)
	var login struct {
		AccessToken string `json:"access_token"`
	}
	e.Do("POST", "/api/auth/login", "", map[string]any{"email": e.A.Email, "password": e.A.Password}).JSON(t, &login)
	if ch.SiteToken == "" || login.AccessToken == "" {
		t.Fatalf("site token %q, JWT %q", ch.SiteToken, login.AccessToken)
	}
	first, _, err := e.Dialogs.Create(t.Context(), e.A.ID, "desk", dialogs.CreateInput{Start: true})
	if err == nil {
		_, err = e.Dialogs.SendMessage(t.Context(), first, dialogs.Message{Text: "X-1"}) // first in the queue
	}
	if err != nil {
		t.Fatal(err)
	}
	return &wsEnv{Env: e, jwt: login.AccessToken, siteToken: ch.SiteToken, d: wsStartWidget(t, e, ch.SiteToken)}
}

// wsStartWidget starts a dialog as the widget on site does.
func wsStartWidget(t *testing.T, e *servertest.Env, siteToken string) *store.Dialog {
	t.Helper()
	var started struct{ ID string }
	h := http.Header{"Origin": {wsSite}, widget.SiteTokenHeader: {siteToken}}
	e.DoWith("POST", "/widget/v1/dialogs", h, map[string]any{}).JSON(t, &started)
	d, err := e.Store.Dialog(t.Context(), e.A.ID, started.ID)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func (w *wsEnv) panelPath() string { return fmt.Sprintf("/ws/dialogs/%d?token=%s", w.d.Number, w.jwt) }
func (w *wsEnv) widgetPath() string {
	return "/ws/dialogs/" + w.d.UUID + "?token=" + url.QueryEscape(w.siteToken)
}

// TestWebSocketRefusals: what the handshake refuses, as ReplyX's HTTP
// errors (a plain GET, so each answer is checked against the spec).
func TestWebSocketRefusals(t *testing.T) {
	w := newWSEnv(t, 50)
	apiDialog, _, err := w.Dialogs.Create(t.Context(), w.A.ID, "desk", dialogs.CreateInput{})
	if err != nil {
		t.Fatal(err)
	}
	var theirs struct {
		AccessToken string `json:"access_token"`
	}
	w.Do("POST", "/api/auth/login", "", map[string]any{"email": w.B.Email, "password": w.B.Password}).JSON(t, &theirs)
	token := url.QueryEscape(w.siteToken)
	tests := []struct {
		name, path, origin string
		status             int
		code, field        string
	}{
		{"no token", fmt.Sprintf("/ws/dialogs/%d", w.d.Number), "", 401, "UNAUTHORIZED", ""},
		{"a token of nothing", fmt.Sprintf("/ws/dialogs/%d?token=nope", w.d.Number), "", 401, "UNAUTHORIZED", ""},
		{"a forged JWT", fmt.Sprintf("/ws/dialogs/%d?token=%s", w.d.Number, w.jwt[:len(w.jwt)-2]+"xx"), "", 401, "UNAUTHORIZED", ""},
		{"another project's panel", fmt.Sprintf("/ws/dialogs/%d?token=%s", w.d.Number, theirs.AccessToken), "", 404, "NOT_FOUND", ""},
		{"a bad since_seq", w.panelPath() + "&since_seq=-1", "", 422, "VALIDATION_ERROR", "since_seq"},
		{"the widget from another origin", w.widgetPath(), wsOtherSite, 403, "INSUFFICIENT_PERMISSIONS", ""},
		{"the widget without an origin", w.widgetPath(), "", 403, "INSUFFICIENT_PERMISSIONS", ""},
		{"the widget naming the dialog by number", fmt.Sprintf("/ws/dialogs/%d?token=%s", w.d.Number, token), wsSite, 403, "INSUFFICIENT_PERMISSIONS", ""},
		{"the widget asking for a dialog of another channel", "/ws/dialogs/" + apiDialog.UUID + "?token=" + token, wsSite, 404, "NOT_FOUND", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.origin != "" {
				h.Set("Origin", tt.origin)
			}
			wantError(t, w.DoWith("GET", tt.path, h, nil), tt.status, tt.code, tt.field)
		})
	}
}

// TestWebSocketReplay: since_seq=0 replays the dialog's whole event log,
// each event with its logged seq, in order; refused client messages get
// an error event and the connection stays.
func TestWebSocketReplay(t *testing.T) {
	w := newWSEnv(t, 50)
	if _, err := w.Dialogs.SendMessage(t.Context(), w.d, dialogs.Message{Text: "A-7"}); err != nil {
		t.Fatal(err)
	}
	logged, err := w.Store.Events(t.Context(), w.A.ID, store.EventFilter{DialogID: w.d.ID})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, ev := range logged {
		if ev.Type == store.EventMessageCreated || strings.HasPrefix(ev.Type, "handoff.") {
			want = append(want, fmt.Sprint(ev.Seq))
		}
	}
	conn := dialWS(t, w.Env, w.widgetPath()+"&since_seq=0", wsSite)
	var got []string
	for len(got) < len(want) {
		ev := readWS(t, conn)
		got = append(got, fmt.Sprint(ev["seq"]))
		if ev["dialog_id"] != float64(w.d.Number) || ev["timestamp"] == "" || ev["type"] == "handoff_requested" && ev["reason"] != nil {
			t.Errorf("replayed %v", ev)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("replayed seqs %v, want the log's %v", got, want)
	}
	for msg, code := range map[string]string{`{"type": "typing"}`: "INSUFFICIENT_PERMISSIONS", `{"type": "shout"}`: "VALIDATION_ERROR",
		`hello`: "BAD_REQUEST", `{"type": "send_message", "text": " "}`: "VALIDATION_ERROR"} {
		if err := conn.Write(t.Context(), websocket.MessageText, []byte(msg)); err != nil {
			t.Fatal(err)
		}
		ev := readWS(t, conn)
		if e, _ := ev["error"].(map[string]any); ev["type"] != "error" || e["code"] != code {
			t.Errorf("%s: got %v, want an error %s", msg, ev, code)
		}
	}
}

// dialWS opens a WebSocket at path from a page of origin ("" for none).
func dialWS(t *testing.T, e *servertest.Env, path, origin string) *websocket.Conn {
	t.Helper()
	opts := &websocket.DialOptions{HTTPHeader: http.Header{}}
	if origin != "" {
		opts.HTTPHeader.Set("Origin", origin)
	}
	conn, _, err := websocket.Dial(t.Context(), "ws"+strings.TrimPrefix(e.URL, "http")+path, opts)
	if err != nil {
		t.Fatalf("dialing %s: %v", path, err)
	}
	t.Cleanup(func() { conn.CloseNow() })
	return conn
}

// readWS reads the next event, answering __ping__ on the way.
func readWS(t *testing.T, conn *websocket.Conn) map[string]any {
	t.Helper()
	for {
		_, data, err := conn.Read(t.Context())
		if err != nil {
			t.Fatalf("reading: %v", err)
		}
		if string(data) == "__ping__" {
			if err := conn.Write(t.Context(), websocket.MessageText, []byte("__pong__")); err != nil {
				t.Fatal(err)
			}
			continue
		}
		var ev map[string]any
		if err := json.Unmarshal(data, &ev); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		return ev
	}
}

// wsEvent is an event as the ReplyX document shows it.
type wsEvent struct {
	Type      string
	DialogID  int64 `json:"dialog_id"`
	Seq       int64
	Timestamp time.Time
	Message   *struct {
		ID           int64
		Sender, Text string
		OperatorName string `json:"operator_name"`
	}
	Reason        *string
	QueuePosition *int `json:"queue_position"`
	Manager       *struct {
		ID     *int64
		Name   string
		Avatar *string
	}
	OperatorName string `json:"operator_name"`
	Error        *struct {
		Code    string
		Details map[string]any
	}
}

// TestWebSocketNodeClient: the ws npm package as a widget's user and an
// operator's panel (testdata/wsclient/session.mjs): the whole conversation
// reaches both with the document's fields and the log's seqs, a page of
// another origin is refused, the heartbeat keeps clients that answer and
// cuts off one that does not, since_seq replays what a reconnecting panel
// missed, and a message over the connection's limit is refused.
func TestWebSocketNodeClient(t *testing.T) {
	dir, node := npmtest.Project(t, "testdata/wsclient", "the ws WebSocket client test")
	const limit = 4
	w := newWSEnv(t, limit)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	script := exec.CommandContext(ctx, node, "session.mjs")
	script.Dir = dir
	script.Env = append(os.Environ(), "PARLEY_URL="+w.URL, "JWT="+w.jwt, "SITE_TOKEN="+w.siteToken, "ORIGIN="+wsSite,
		"OTHER_ORIGIN="+wsOtherSite, "DIALOG_UUID="+w.d.UUID, fmt.Sprintf("DIALOG_NUMBER=%d", w.d.Number), fmt.Sprintf("LIMIT=%d", limit))
	script.Stderr = os.Stderr
	out, err := script.Output()
	if err != nil {
		t.Fatalf("session.mjs: %v\n%s", err, out)
	}
	var got struct {
		Refused struct {
			Status int
			Body   struct{ Error struct{ Code string } }
		}
		Silent struct {
			Closed struct{ Code int }
			Pings  int
		}
		StillOpen                       bool
		ResumedFrom                     int64
		Widget, Panel, Resumed, Limited []wsEvent
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("session.mjs printed %s: %v", out, err)
	}
	if got.Refused.Status != http.StatusForbidden || got.Refused.Body.Error.Code != "INSUFFICIENT_PERMISSIONS" {
		t.Errorf("another origin: %+v", got.Refused)
	}
	checkConversation(t, w, "widget", got.Widget, false, limit)
	checkConversation(t, w, "panel", got.Panel, true, limit)
	if got.Silent.Closed.Code != int(websocket.StatusPolicyViolation) || got.Silent.Pings < 1 || !got.StillOpen {
		t.Errorf("heartbeat: the silent client %+v, the others still open: %v", got.Silent, got.StillOpen)
	}
	checkResumed(t, got.Panel, got.Resumed, got.ResumedFrom)
	checkLimited(t, w, got.Limited, limit)
}

// checkConversation checks what a connection got of the conversation, in
// order (the limited panel's messages last), and that its seqs are the
// event log's.
func checkConversation(t *testing.T, w *wsEnv, who string, evs []wsEvent, panel bool, limit int) {
	t.Helper()
	var got []string
	for _, ev := range evs {
		if ev.DialogID != w.d.Number || ev.Timestamp.IsZero() || (ev.Seq == 0) != (ev.Type == "operator_typing") {
			t.Errorf("%s: %+v", who, ev)
		}
		switch ev.Type {
		case "new_message":
			got = append(got, ev.Message.Sender+": "+ev.Message.Text+" "+ev.Message.OperatorName)
		case "handoff_requested":
			reason := ""
			if ev.Reason != nil {
				reason = *ev.Reason
			}
			got = append(got, fmt.Sprintf("handoff_requested %d %s", *ev.QueuePosition, reason))
		case "handoff_started":
			m := ev.Manager
			got = append(got, fmt.Sprintf("handoff_started %d %s %v", *m.ID, m.Name, m.Avatar))
		case "operator_typing":
			got = append(got, "operator_typing "+ev.OperatorName)
		}
	}
	reason := ""
	if panel {
		reason = "Refund for A-42" // a widget's user is not told
	}
	want := []string{"user: A-42 ", "assistant: A person will look at order A-42. ", "handoff_requested 2 " + reason,
		"operator_typing Анна", "handoff_started 5 Анна <nil>", "operator: Здравствуйте, это Анна. Анна", "user: Спасибо "}
	for i := range limit { // the limited panel's, named as its signed-in user
		want = append(want, fmt.Sprintf("operator: limit %d %s", i+1, w.A.Email))
	}
	if !slices.Equal(got, want) {
		t.Errorf("the %s got\n %q\nwant\n %q", who, got, want)
	}
	logged, err := w.Store.Events(w.T.Context(), w.A.ID, store.EventFilter{DialogID: w.d.ID,
		Types: []string{store.EventMessageCreated, store.EventHandoffRequested, store.EventHandoffStarted}})
	if err != nil {
		t.Fatal(err)
	}
	seqs := map[int64]bool{}
	for _, ev := range logged {
		seqs[ev.Seq] = true
	}
	for _, ev := range evs {
		if ev.Seq != 0 && !seqs[ev.Seq] {
			t.Errorf("%s: %s has seq %d, which is not the log's", who, ev.Type, ev.Seq)
		}
	}
}

// checkResumed: a panel reconnecting with since_seq gets exactly the
// logged events after it, as the live panel got them.
func checkResumed(t *testing.T, live, resumed []wsEvent, from int64) {
	t.Helper()
	var want, got []string
	for _, ev := range live {
		if ev.Seq > from {
			want = append(want, fmt.Sprint(ev.Type, ev.Seq))
		}
	}
	for _, ev := range resumed {
		got = append(got, fmt.Sprint(ev.Type, ev.Seq))
	}
	if from == 0 || len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("resumed after %d: %v, want %v", from, got, want)
	}
}

// checkLimited: limit messages go through; the one after is refused with
// RATE_LIMIT_EXCEEDED and never stored.
func checkLimited(t *testing.T, w *wsEnv, evs []wsEvent, limit int) {
	t.Helper()
	refusals := 0
	for _, ev := range evs {
		if ev.Type == "error" {
			refusals++
			if ev.Error.Code != "RATE_LIMIT_EXCEEDED" || ev.Error.Details["retry_after"] == nil {
				t.Errorf("refused with %+v", ev.Error)
			}
		}
	}
	msgs, err := w.Store.Messages(w.T.Context(), w.d.ID)
	if err != nil {
		t.Fatal(err)
	}
	sent := 0
	for _, m := range msgs {
		if strings.HasPrefix(m.Text, "limit ") {
			sent++
		}
	}
	if refusals != 1 || sent != limit {
		t.Errorf("%d refusals and %d messages sent, want 1 and %d", refusals, sent, limit)
	}
}
