package worken_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/internal/npmtest"
	"github.com/parleyhq/parley/netguard"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/server/worken"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/webhooks"
)

type endpoint struct {
	ID        string
	URL       string
	Status    string
	CreatedAt string `json:"created_at"`
}

// delivery is one request a receiver got.
type delivery struct {
	header http.Header
	body   []byte
	event  struct {
		ID        string
		Type      string
		CreatedAt string `json:"created_at"`
		Data      map[string]any
	}
}

// receiver is a webhook endpoint on loopback that keeps what it gets.
type receiver struct {
	*httptest.Server
	mu  sync.Mutex
	got []delivery
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		d := delivery{header: req.Header.Clone(), body: body}
		if err := json.Unmarshal(body, &d.event); err != nil {
			t.Errorf("a delivery is not JSON: %s", body)
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		r.got = append(r.got, d)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.got...)
}

func (r *receiver) types() []string {
	var out []string
	for _, d := range r.deliveries() {
		out = append(out, d.event.Type)
	}
	return out
}

func createEndpoint(t *testing.T, e *servertest.Env, p servertest.Project, url, secret string) endpoint {
	t.Helper()
	var ep endpoint
	ok(t, e.Do("POST", "/webhook-endpoints", p.Bearer(), map[string]any{"url": url, "secret": secret}), &ep)
	return ep
}

func TestWebhookEndpoints(t *testing.T) {
	e := newEnv(t)
	const secret = "my own secret, not whsec_"
	ep := createEndpoint(t, e, e.A, "https://example.com/hook", secret)
	if !strings.HasPrefix(ep.ID, "wh_") || ep.URL != "https://example.com/hook" || ep.Status != "active" || ep.CreatedAt == "" {
		t.Errorf("created %+v", ep)
	}
	t.Run("stored as a worken webhook with the client's secret, sealed", func(t *testing.T) {
		w, err := e.Store.Webhook(t.Context(), e.A.ID, ep.ID)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := e.Secrets.Open(w.Secret)
		if err != nil || plain != secret || w.Secret == secret || w.Format != store.WebhookWorken {
			t.Errorf("format %q, secret %q opens to %q (%v)", w.Format, w.Secret, plain, err)
		}
	})
	t.Run("list", func(t *testing.T) {
		var eps []endpoint
		ok(t, e.Do("GET", "/webhook-endpoints", e.A.Bearer(), nil), &eps)
		if len(eps) != 1 || eps[0] != ep {
			t.Errorf("listed %+v, want %+v", eps, ep)
		}
		ok(t, e.Do("GET", "/webhook-endpoints", e.B.Bearer(), nil), &eps)
		if len(eps) != 0 {
			t.Errorf("project B sees %+v", eps)
		}
	})
	t.Run("bad bodies", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			body   any
			status int
			param  string
		}{
			{"no url", map[string]any{"secret": "s"}, http.StatusUnprocessableEntity, "url"},
			{"empty url", map[string]any{"url": " ", "secret": "s"}, http.StatusUnprocessableEntity, "url"},
			{"not http", map[string]any{"url": "ftp://example.com/hook", "secret": "s"}, http.StatusUnprocessableEntity, "url"},
			{"no secret", map[string]any{"url": "https://example.com/hook"}, http.StatusUnprocessableEntity, "secret"},
			{"empty secret", map[string]any{"url": "https://example.com/hook", "secret": ""}, http.StatusUnprocessableEntity, "secret"},
			{"a whsec_ secret that is not one", map[string]any{"url": "https://example.com/hook", "secret": "whsec_!!"}, http.StatusUnprocessableEntity, "secret"},
			{"a secret of the wrong type", map[string]any{"url": "https://example.com/hook", "secret": 42}, http.StatusBadRequest, ""},
			{"not JSON", []byte("url=x"), http.StatusBadRequest, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got := wantError(t, e.Do("POST", "/webhook-endpoints", e.A.Bearer(), tc.body), tc.status)
				if got.Error.Param != tc.param {
					t.Errorf("param %q, want %q", got.Error.Param, tc.param)
				}
			})
		}
		var eps []endpoint
		ok(t, e.Do("GET", "/webhook-endpoints", e.A.Bearer(), nil), &eps)
		if len(eps) != 1 {
			t.Errorf("bad bodies left %+v", eps)
		}
		got := wantError(t, e.Do("PUT", "/webhook-endpoints/"+ep.ID, e.A.Bearer(), map[string]any{"status": "paused"}),
			http.StatusUnprocessableEntity, "active or disabled")
		if got.Error.Param != "status" {
			t.Errorf("param %q, want status", got.Error.Param)
		}
		wantError(t, e.Do("PUT", "/webhook-endpoints/"+ep.ID, e.A.Bearer(), map[string]any{"secret": " "}), http.StatusUnprocessableEntity)
		wantError(t, e.Do("PUT", "/webhook-endpoints/"+ep.ID, e.A.Bearer(), nil), http.StatusBadRequest)
	})
	t.Run("update", func(t *testing.T) {
		var got endpoint
		ok(t, e.Do("PUT", "/webhook-endpoints/"+ep.ID, e.A.Bearer(), map[string]any{"status": "disabled"}), &got)
		if want := (endpoint{ep.ID, ep.URL, "disabled", ep.CreatedAt}); got != want {
			t.Errorf("disabled: %+v, want %+v", got, want)
		}
		ok(t, e.Do("PUT", "/webhook-endpoints/"+ep.ID, e.A.Bearer(), map[string]any{"status": "active", "secret": "second"}), &got)
		if got != ep {
			t.Errorf("enabled: %+v, want %+v", got, ep)
		}
		w, err := e.Store.Webhook(t.Context(), e.A.ID, ep.ID)
		if err != nil {
			t.Fatal(err)
		}
		if plain, err := e.Secrets.Open(w.Secret); err != nil || plain != "second" {
			t.Errorf("secret opens to %q (%v), want second", plain, err)
		}
		if w.PreviousUntil != nil && w.PreviousUntil.After(time.Now()) {
			t.Errorf("the old secret signs until %v; it must sign no more", w.PreviousUntil)
		}
		ok(t, e.Do("PUT", "/webhook-endpoints/"+ep.ID, e.A.Bearer(), map[string]any{}), &got)
		if got != ep {
			t.Errorf("after an empty change: %+v, want %+v", got, ep)
		}
	})
	t.Run("another project's endpoint is not found", func(t *testing.T) {
		wantError(t, e.Do("PUT", "/webhook-endpoints/"+ep.ID, e.B.Bearer(), map[string]any{"status": "disabled"}), http.StatusNotFound)
		wantError(t, e.Do("PUT", "/webhook-endpoints/"+ep.ID, e.B.Bearer(), map[string]any{"secret": "stolen"}), http.StatusNotFound)
		wantError(t, e.Do("DELETE", "/webhook-endpoints/"+ep.ID, e.B.Bearer(), nil), http.StatusNotFound)
		wantError(t, e.Do("PUT", "/webhook-endpoints/wh_nosuchendpoint", e.A.Bearer(), map[string]any{"status": "active"}), http.StatusNotFound)
		w, err := e.Store.Webhook(t.Context(), e.A.ID, ep.ID)
		if err != nil || w.Status != store.WebhookActive {
			t.Fatalf("after project B's tries: %+v, %v", w, err)
		}
		if plain, _ := e.Secrets.Open(w.Secret); plain != "second" {
			t.Errorf("project B changed the secret to %q", plain)
		}
	})
	t.Run("a native webhook is listed too", func(t *testing.T) {
		sealed, err := e.Secrets.Seal("whsec_" + base64.StdEncoding.EncodeToString([]byte("0123456789abcdef01234567")))
		if err != nil {
			t.Fatal(err)
		}
		native := &store.Webhook{ProjectID: e.A.ID, URL: "https://example.com/native", Events: []string{"*"}, Secret: sealed}
		if err := e.Store.CreateWebhook(t.Context(), native); err != nil {
			t.Fatal(err)
		}
		var eps []endpoint
		ok(t, e.Do("GET", "/webhook-endpoints", e.A.Bearer(), nil), &eps)
		if len(eps) != 2 || eps[0].ID != ep.ID || eps[1].ID != native.UUID || eps[1].Status != "active" {
			t.Errorf("listed %+v", eps)
		}
		ok(t, e.Do("DELETE", "/webhook-endpoints/"+native.UUID, e.A.Bearer(), nil), &map[string]any{})
	})
	t.Run("delete", func(t *testing.T) {
		var got deleted
		ok(t, e.Do("DELETE", "/webhook-endpoints/"+ep.ID, e.A.Bearer(), nil), &got)
		if got != (deleted{ID: ep.ID, Object: "webhook_endpoint", Deleted: true}) {
			t.Errorf("deleted %+v", got)
		}
		wantError(t, e.Do("DELETE", "/webhook-endpoints/"+ep.ID, e.A.Bearer(), nil), http.StatusNotFound)
		wantError(t, e.Do("PUT", "/webhook-endpoints/"+ep.ID, e.A.Bearer(), map[string]any{"status": "active"}), http.StatusNotFound)
		var eps []endpoint
		ok(t, e.Do("GET", "/webhook-endpoints", e.A.Bearer(), nil), &eps)
		if len(eps) != 0 {
			t.Errorf("left %+v", eps)
		}
	})
}

// dispatcher is the dispatcher a worker runs, allowed to send to loopback
// (as PARLEY_ALLOW_PRIVATE_URLS allows), one attempt at a time so that a
// receiver gets a stream's events in the log's order.
func dispatcher(e *servertest.Env) *webhooks.Dispatcher {
	loopback := netguard.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	return &webhooks.Dispatcher{Store: e.Store, Box: e.Secrets, Workers: 1,
		Sender: &webhooks.Sender{Client: loopback.Client(webhooks.AttemptTimeout)},
		Data: func(ev store.Event) (json.RawMessage, error) {
			return json.Marshal(map[string]string{"native": ev.Type})
		}}
}

// stepUntil steps d until done holds, for at most 20 seconds.
func stepUntil(t *testing.T, d *webhooks.Dispatcher, what string, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !done() {
		if _, err := d.Step(t.Context()); err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("still waiting for %s after 20s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// logged waits until the project's log has an event that match says of
// after seq, and returns the log's last seq.
func loggedAfter(t *testing.T, e *servertest.Env, after int64, match func(store.Event) bool) int64 {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		evs, err := e.Store.Events(t.Context(), e.A.ID, store.EventFilter{After: after, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			if match(ev) {
				return evs[len(evs)-1].Seq
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("the event did not come within 20s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func lastSeq(t *testing.T, e *servertest.Env) int64 {
	t.Helper()
	return loggedAfter(t, e, -1, func(store.Event) bool { return true })
}

// signedWith reports whether x-worken-signature is the body's HMAC with
// secret, checked in Go; Node checks it the document's way below.
func signedWith(d delivery, secret string) bool {
	return d.header.Get(webhooks.HeaderWorken) == webhooks.WorkenSignature(secret, d.body)
}

// TestWebhookEndpointDeliveries follows real events to a Worken endpoint:
// a dialog's life through the dialogs service, the dispatcher a worker
// runs, Worken's event names and data, Standard Webhooks headers beside
// x-worken-signature, a new secret, a disabled endpoint; then the
// document's own verifyWebhook, run by Node, accepts every delivery.
func TestWebhookEndpointDeliveries(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testDeliveries(t, newEnv(t)) })
	t.Run("postgres", func(t *testing.T) {
		testDeliveries(t, servertest.NewWith(t, servertest.Options{Postgres: true}, worken.Dialect))
	})
}

func testDeliveries(t *testing.T, e *servertest.Env) {
	ctx := t.Context()
	hook, standard := newReceiver(t), newReceiver(t)
	const first, second = "first secret", "второй секрет"
	ep := createEndpoint(t, e, e.A, hook.URL, first)
	createEndpoint(t, e, e.B, hook.URL, "project B's") // B's events are not A's endpoint's
	sealed, err := e.Secrets.Seal(first)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Store.CreateWebhook(ctx, &store.Webhook{ProjectID: e.A.ID, URL: standard.URL, Events: []string{"*"}, Secret: sealed}); err != nil {
		t.Fatal(err)
	}
	d := dispatcher(e)
	if _, err := e.Dialogs.Publish(ctx, e.A.ID, "greeter", servertest.GreeterBot, "test"); err != nil {
		t.Fatal(err)
	}
	bot, err := e.Store.Bot(ctx, e.A.ID, "greeter")
	if err != nil {
		t.Fatal(err)
	}

	dlg, _, err := e.Dialogs.Create(ctx, e.A.ID, "greeter", dialogs.CreateInput{Start: true, Source: "api"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Dialogs.SendMessage(ctx, dlg, dialogs.Message{Text: "Olga"}); err != nil {
		t.Fatal(err)
	}
	olga := dialogs.Operator{Name: "Olga"}
	if _, err := e.Dialogs.TakeOver(ctx, dlg, olga); err != nil { // the mode becomes operator
		t.Fatal(err)
	}
	if _, err := e.Dialogs.AddNote(ctx, dlg, olga, "a note is for operators"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Dialogs.OperatorMessage(ctx, dlg, olga, "Olga here."); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Dialogs.Release(ctx, dlg, olga); err != nil { // and auto again
		t.Fatal(err)
	}
	others := []store.Event{
		{ProjectID: e.A.ID, Type: "integration.auth_lost", Data: store.EventData{Extra: map[string]any{"integration_id": "int_1"}}},
		{ProjectID: e.A.ID, Type: "billing.balance.low", Data: store.EventData{Extra: map[string]any{"balance": 12.5, "threshold": 100.0}}},
		{ProjectID: e.A.ID, Type: store.EventWebhookTest, Data: store.EventData{Extra: map[string]any{"webhook_id": ep.ID}}},
	}
	if err := e.Store.LogEvents(ctx, others); err != nil {
		t.Fatal(err)
	}

	want := []string{webhooks.WorkenThreadCreated, webhooks.WorkenMessageCreated, // Your name?
		webhooks.WorkenMessageCreated, webhooks.WorkenMessageCreated, webhooks.WorkenMessageCreated, // Olga, Hello, Anything else?
		webhooks.WorkenModeChanged, webhooks.WorkenMessageCreated, webhooks.WorkenModeChanged,
		webhooks.WorkenAuthLost, webhooks.WorkenBalanceLow}
	stepUntil(t, d, "the dialog's events", func() bool {
		return len(hook.deliveries()) >= len(want) && len(standard.deliveries()) > 0
	})
	stepUntil(t, d, "the standard webhook's webhook.test-free stream", func() bool {
		return strings.Contains(strings.Join(standard.types(), " "), "billing.balance.low")
	})
	got := hook.deliveries()
	if strings.Join(hook.types(), " ") != strings.Join(want, " ") {
		t.Fatalf("Worken types:\n%s\nwant:\n%s", strings.Join(hook.types(), "\n"), strings.Join(want, "\n"))
	}

	t.Run("Worken's bodies", func(t *testing.T) {
		created := got[0].event
		chat, err := e.Store.APIChannel(ctx, e.A.ID, bot.ID)
		if err != nil {
			t.Fatal(err)
		}
		if created.Data["thread_id"] != dlg.UUID || created.Data["bot_id"] != bot.UUID || created.Data["chat_id"] != chat.UUID ||
			created.Data["mode"] != "auto" || created.CreatedAt == "" {
			t.Errorf("thread.created: %s", got[0].body)
		}
		var msgs []string
		for _, g := range got[1:7] {
			if g.event.Type != webhooks.WorkenMessageCreated {
				continue
			}
			m, _ := g.event.Data["message"].(map[string]any)
			if g.event.Data["thread_id"] != dlg.UUID || g.event.Data["bot_id"] != bot.UUID || m == nil ||
				!strings.HasPrefix(m["id"].(string), dlg.UUID+"-") || m["created_at"] == "" {
				t.Errorf("thread.message.created: %s", g.body)
				continue
			}
			msgs = append(msgs, m["role"].(string)+": "+m["content"].(string))
		}
		if want := "assistant: Your name?|user: Olga|assistant: Hello, Olga!|assistant: Anything else?|assistant: Olga here."; strings.Join(msgs, "|") != want {
			t.Errorf("messages %q, want %q", strings.Join(msgs, "|"), want)
		}
		for i, mode := range map[int]string{5: "operator", 7: "auto"} {
			if g := got[i].event; g.Data["thread_id"] != dlg.UUID || g.Data["mode"] != mode {
				t.Errorf("thread.mode.changed %d: %s, want mode %s", i, got[i].body, mode)
			}
		}
		if g := got[8].event; g.Data["integration_id"] != "int_1" {
			t.Errorf("integration.auth_lost: %s", got[8].body)
		}
		if g := got[9].event; g.Data["balance"] != 12.5 || g.Data["threshold"] != 100.0 {
			t.Errorf("billing.balance.low: %s", got[9].body)
		}
	})
	t.Run("headers", func(t *testing.T) {
		for _, g := range got {
			if !signedWith(g, first) || g.header.Get(webhooks.HeaderID) != g.event.ID ||
				!strings.HasPrefix(g.header.Get(webhooks.HeaderSignature), "v1,") || g.header.Get(webhooks.HeaderTimestamp) == "" {
				t.Errorf("%s: headers %v", g.event.Type, g.header)
			}
		}
	})
	t.Run("a standard webhook of the project gets Parley's events", func(t *testing.T) {
		types := standard.types()
		for _, typ := range []string{store.EventDialogCreated, store.EventMessageCreated, store.EventNoteCreated, store.EventDialogUpdated} {
			if !strings.Contains(" "+strings.Join(types, " ")+" ", " "+typ+" ") {
				t.Errorf("the standard webhook got %v, without %s", types, typ)
			}
		}
	})

	// A new secret signs what comes next; the old one no more.
	var changed endpoint
	ok(t, e.Do("PUT", "/webhook-endpoints/"+ep.ID, e.A.Bearer(), map[string]any{"secret": second}), &changed)
	if _, err := e.Dialogs.SendMessage(ctx, dlg, dialogs.Message{Text: "Ivan"}); err != nil {
		t.Fatal(err)
	}
	// Ivan answers "Anything else?": the bot asks the name again.
	stepUntil(t, d, "the turn after the new secret", func() bool { return len(hook.deliveries()) >= len(want)+2 })
	after := hook.deliveries()[len(want):]
	for _, g := range after {
		if !signedWith(g, second) || signedWith(g, first) {
			t.Errorf("%s after the change: x-worken-signature %s is not the new secret's", g.event.Type, g.header.Get(webhooks.HeaderWorken))
		}
	}

	// A disabled endpoint gets nothing.
	ok(t, e.Do("PUT", "/webhook-endpoints/"+ep.ID, e.A.Bearer(), map[string]any{"status": "disabled"}), &changed)
	seen, standardSeen := len(hook.deliveries()), len(standard.deliveries())
	from := lastSeq(t, e)
	if _, err := e.Dialogs.SendMessage(ctx, dlg, dialogs.Message{Text: "Petr"}); err != nil {
		t.Fatal(err)
	}
	loggedAfter(t, e, from, func(ev store.Event) bool {
		return ev.Type == store.EventMessageCreated && ev.Data.Message.Text == "Anything else?"
	})
	// Petr, Hello, Anything else?: the dispatcher has been through the turn.
	stepUntil(t, d, "the standard webhook's copy of the turn", func() bool { return len(standard.deliveries()) >= standardSeen+3 })
	for range 3 {
		if _, err := d.Step(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(hook.deliveries()); n != seen {
		t.Errorf("the disabled endpoint got %d more deliveries", n-seen)
	}

	t.Run("verifyWebhook in Node accepts every delivery", func(t *testing.T) {
		all := hook.deliveries()
		var cases []map[string]any
		for i, g := range all {
			secret := first
			if i >= len(want) {
				secret = second
			}
			body := base64.StdEncoding.EncodeToString(g.body)
			sig := g.header.Get(webhooks.HeaderWorken)
			cases = append(cases,
				map[string]any{"body": body, "signature": sig, "secret": secret, "want": true},
				map[string]any{"body": base64.StdEncoding.EncodeToString(bytes.Replace(g.body, []byte(`"data"`), []byte(`"Data"`), 1)),
					"signature": sig, "secret": secret, "want": false})
			if i >= len(want) {
				cases = append(cases, map[string]any{"body": body, "signature": sig, "secret": first, "want": false})
			}
		}
		verifyInNode(t, cases)
	})
}

// verifyInNode runs testdata/verify-webhook/verify.mjs, the document's
// verifyWebhook, over cases.
func verifyInNode(t *testing.T, cases []map[string]any) {
	t.Helper()
	node := npmtest.Node(t, "Worken's verifyWebhook")
	in, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "verify.mjs")
	cmd.Dir = "testdata/verify-webhook"
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.CombinedOutput()
	if exit := (*exec.ExitError)(nil); errors.As(err, &exit) {
		t.Fatalf("node verify.mjs exited %d:\n%s", exit.ExitCode(), out)
	} else if err != nil {
		t.Fatalf("running node verify.mjs: %v", err)
	}
	if n := strings.Count(string(out), "ok  "); n != len(cases) {
		t.Errorf("node checked %d of %d cases:\n%s", n, len(cases), out)
	}
}
