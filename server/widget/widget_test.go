package widget_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/server/widget"
)

const site = "https://shop.example"

type turn struct {
	ID           string
	VisitorToken string `json:"visitor_token"`
	Messages     []struct{ Role, Text string }
	Status       string
}

// newWidget publishes servertest.GreeterBot in project A with a widget channel for site
// and returns the channel's site token.
func newWidget(t *testing.T) (*servertest.Env, string) {
	t.Helper()
	return newWidgetFor(t, "greeter", servertest.GreeterBot)
}

// newWidgetFor is newWidget for the bot slug with the flow source.
func newWidgetFor(t *testing.T, slug, source string) (*servertest.Env, string) {
	t.Helper()
	e := servertest.New(t, native.Dialect, widget.Dialect)
	if r := e.Do("PUT", "/v1/bots/"+slug+"/flow", e.A.Bearer(), source); r.Status != http.StatusOK {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	r := e.Do("POST", "/v1/bots/"+slug+"/channels", e.A.Bearer(), map[string]any{"kind": "widget", "allowed_origins": []string{site + "/"}})
	if r.Status != http.StatusCreated {
		t.Fatalf("creating the channel: %d %s", r.Status, r.Body)
	}
	var ch struct {
		SiteToken      string `json:"site_token"`
		Snippet        string
		AllowedOrigins []string `json:"allowed_origins"`
	}
	r.JSON(t, &ch)
	if !strings.Contains(ch.Snippet, `data-site-token="`+ch.SiteToken+`"`) || len(ch.AllowedOrigins) != 1 || ch.AllowedOrigins[0] != site {
		t.Fatalf("the channel: %+v", ch)
	}
	return e, ch.SiteToken
}

func from(origin string, headers ...string) http.Header {
	h := http.Header{"Origin": {origin}}
	for i := 0; i+1 < len(headers); i += 2 {
		h.Set(headers[i], headers[i+1])
	}
	return h
}

// TestWidgetDialog: a page of the channel's origin starts a dialog with
// the site token and talks in it with the visitor token it got back; the
// answers allow that origin; other origins, other dialogs and forged or
// missing tokens are refused; deleting the channel stops its visitors.
func TestWidgetDialog(t *testing.T) {
	e, siteToken := newWidget(t)
	r := e.DoWith("POST", "/widget/v1/dialogs", from(site, widget.SiteTokenHeader, siteToken), map[string]any{"user": map[string]any{"name": "Ann"}})
	if r.Status != http.StatusCreated {
		t.Fatalf("starting: %d %s", r.Status, r.Body)
	}
	if got := r.Header.Get("Access-Control-Allow-Origin"); got != site {
		t.Errorf("Access-Control-Allow-Origin %q, want %q", got, site)
	}
	var started turn
	r.JSON(t, &started)
	if started.VisitorToken == "" || len(started.Messages) != 1 || started.Messages[0].Text != "Your name?" {
		t.Fatalf("started: %+v", started)
	}
	visitor := func(origin, token string) http.Header { return from(origin, widget.VisitorTokenHeader, token) }
	path := "/widget/v1/dialogs/" + started.ID + "/messages"

	r = e.DoWith("POST", path, visitor(site, started.VisitorToken), map[string]any{"text": "Ann"})
	var answered turn
	r.JSON(t, &answered)
	if r.Status != http.StatusOK || len(answered.Messages) != 2 || answered.Messages[0].Text != "Hello, Ann!" {
		t.Fatalf("a message: %d %s", r.Status, r.Body)
	}
	var all struct {
		Messages []struct{ Role, Text string }
	}
	e.DoWith("GET", path, visitor(site, started.VisitorToken), nil).JSON(t, &all)
	if len(all.Messages) != 4 || all.Messages[1].Role != "user" || all.Messages[1].Text != "Ann" {
		t.Errorf("the conversation: %+v", all.Messages)
	}

	for _, c := range []struct {
		name, method, path string
		header             http.Header
		want               int
	}{
		{"another origin starts", "POST", "/widget/v1/dialogs", from("https://evil.example", widget.SiteTokenHeader, siteToken), http.StatusForbidden},
		{"no origin", "POST", "/widget/v1/dialogs", http.Header{widget.SiteTokenHeader: {siteToken}}, http.StatusForbidden},
		{"no site token", "POST", "/widget/v1/dialogs", from(site), http.StatusUnauthorized},
		{"a wrong site token", "POST", "/widget/v1/dialogs", from(site, widget.SiteTokenHeader, "st_nope"), http.StatusUnauthorized},
		{"another origin talks", "POST", path, visitor("https://evil.example", started.VisitorToken), http.StatusForbidden},
		{"a forged visitor token", "POST", path, visitor(site, "v1:AAAA"), http.StatusUnauthorized},
		{"the site token as visitor token", "GET", path, visitor(site, siteToken), http.StatusUnauthorized},
		{"the token on another dialog", "GET", "/widget/v1/dialogs/0b8e4a52-3c1f-4bb0-9d2e-5a1f3c2d7e90/messages", visitor(site, started.VisitorToken), http.StatusUnauthorized},
	} {
		var body any
		if c.method == "POST" {
			body = map[string]any{"text": "hi"}
		}
		if r := e.DoWith(c.method, c.path, c.header, body); r.Status != c.want {
			t.Errorf("%s: %d %s, want %d", c.name, r.Status, r.Body, c.want)
		}
	}

	// A preflight is answered for any origin; the request decides.
	pre := e.DoWith("OPTIONS", path, http.Header{"Origin": {site}, "Access-Control-Request-Method": {"POST"}}, nil)
	if pre.Status != http.StatusNoContent || !strings.Contains(pre.Header.Get("Access-Control-Allow-Headers"), widget.VisitorTokenHeader) {
		t.Errorf("preflight: %d %v", pre.Status, pre.Header)
	}

	var channels struct{ Channels []struct{ ID int64 } }
	e.Do("GET", "/v1/bots/greeter/channels", e.A.Bearer(), nil).JSON(t, &channels)
	if len(channels.Channels) != 1 {
		t.Fatalf("channels: %+v", channels)
	}
	if r := e.Do("GET", "/v1/bots/greeter/channels", e.B.Bearer(), nil); r.Status != http.StatusNotFound {
		t.Errorf("another project's list: %d", r.Status)
	}
	del := "/v1/channels/" + strconv.FormatInt(channels.Channels[0].ID, 10)
	if r := e.Do("DELETE", del, e.B.Bearer(), nil); r.Status != http.StatusNotFound {
		t.Errorf("another project's delete: %d", r.Status)
	}
	if r := e.Do("DELETE", del, e.A.Bearer(), nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	if r := e.DoWith("GET", path, visitor(site, started.VisitorToken), nil); r.Status != http.StatusUnauthorized {
		t.Errorf("a visitor of a deleted channel: %d %s", r.Status, r.Body)
	}
}

// TestWidgetChannelChecks: bad channels are refused with what to fix.
func TestWidgetChannelChecks(t *testing.T) {
	e, _ := newWidget(t)
	for _, body := range []map[string]any{
		{"kind": "widget"},
		{"kind": "widget", "allowed_origins": []string{"shop.example"}},
		{"kind": "telegram", "allowed_origins": []string{site}},
	} {
		if r := e.Do("POST", "/v1/bots/greeter/channels", e.A.Bearer(), body); r.Status != http.StatusBadRequest {
			t.Errorf("%v: %d %s", body, r.Status, r.Body)
		}
	}
	if r := e.Do("POST", "/v1/bots/nobot/channels", e.A.Bearer(), map[string]any{"kind": "widget", "allowed_origins": []string{site}}); r.Status != http.StatusNotFound {
		t.Errorf("an unknown bot: %d %s", r.Status, r.Body)
	}
}

// TestWidgetScriptServed: the script and the demo page are served from the
// binary; the script keeps to its shadow root and the widget API.
func TestWidgetScriptServed(t *testing.T) {
	e := servertest.New(t, native.Dialect, widget.Dialect)
	r := e.Do("GET", "/widget.js", "", nil)
	js := string(r.Body)
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/javascript") ||
		!strings.Contains(js, "attachShadow") || !strings.Contains(js, "/widget/v1/dialogs") || !strings.Contains(js, widget.VisitorTokenHeader) {
		t.Errorf("/widget.js: %d %s, %d bytes", r.Status, r.Header.Get("Content-Type"), len(r.Body))
	}
	page := e.Do("GET", "/ui/widget-demo", "", nil)
	if page.Status != http.StatusOK || !strings.Contains(string(page.Body), `s.src = "/widget.js"`) {
		t.Errorf("/ui/widget-demo: %d", page.Status)
	}
}

// TestWidgetEvents: the visitor's stream (token in the query, as an
// EventSource sends it) carries the dialog's messages, an operator's
// included, and never an operator's note; a reconnect with Last-Event-ID
// gets what it missed.
func TestWidgetEvents(t *testing.T) {
	e, siteToken := newWidget(t)
	var started turn
	e.DoWith("POST", "/widget/v1/dialogs", from(site, widget.SiteTokenHeader, siteToken), nil).JSON(t, &started)
	path := "/widget/v1/dialogs/" + started.ID + "/events?visitor_token=" + url.QueryEscape(started.VisitorToken)
	if r := e.DoWith("GET", path, from("https://evil.example"), nil); r.Status != http.StatusForbidden {
		t.Fatalf("a stream from another origin: %d %s", r.Status, r.Body)
	}
	ch, stop := e.StreamWith(path, from(site))
	defer stop()
	// The query opens the stream only: a change, or the message list,
	// takes the token from the header.
	query := "?visitor_token=" + url.QueryEscape(started.VisitorToken)
	if r := e.DoWith("POST", "/widget/v1/dialogs/"+started.ID+"/messages"+query, from(site), map[string]any{"text": "by the query"}); r.Status != http.StatusUnauthorized {
		t.Errorf("a message with the token in the query: %d %s, want 401", r.Status, r.Body)
	}
	if r := e.DoWith("GET", "/widget/v1/dialogs/"+started.ID+"/messages"+query, from(site), nil); r.Status != http.StatusUnauthorized {
		t.Errorf("the messages with the token in the query: %d %s, want 401", r.Status, r.Body)
	}

	e.DoWith("POST", "/widget/v1/dialogs/"+started.ID+"/messages", from(site, widget.VisitorTokenHeader, started.VisitorToken), map[string]any{"text": "Ann"})
	first := servertest.NextEvent(t, ch)
	if first.Event != "message.created" || first.ID == "" || !strings.Contains(first.Data, `"text":"Ann"`) {
		t.Fatalf("the first event: %+v", first)
	}
	op := map[string]any{"action": "note", "operator": "Kate", "text": "secret note"}
	if r := e.Do("POST", "/v1/dialogs/"+started.ID+"/operator", e.A.Bearer(), op); r.Status != http.StatusCreated {
		t.Fatalf("a note: %d %s", r.Status, r.Body)
	}
	op = map[string]any{"action": "message", "operator": "Kate", "text": "Kate here."}
	if r := e.Do("POST", "/v1/dialogs/"+started.ID+"/operator", e.A.Bearer(), op); r.Status != http.StatusOK {
		t.Fatalf("an operator's message: %d %s", r.Status, r.Body)
	}
	for {
		ev := servertest.NextEvent(t, ch)
		if strings.Contains(ev.Data, "secret note") || ev.Event == "note.created" || strings.HasPrefix(ev.Event, "handoff.") {
			t.Fatalf("the visitor saw %+v", ev)
		}
		if ev.Event == "message.created" && strings.Contains(ev.Data, "Kate here.") {
			if !strings.Contains(ev.Data, `"operator":"Kate"`) {
				t.Errorf("the operator's message without their name: %s", ev.Data)
			}
			break
		}
	}

	again, stop2 := e.StreamWith(path, from(site, "Last-Event-ID", first.ID))
	defer stop2()
	if ev := servertest.NextEvent(t, again); ev.Event != "message.created" || strings.Contains(ev.Data, `"text":"Ann"`) {
		t.Errorf("the first event after reconnecting: %+v; want the message after the one it had", ev)
	}
}
