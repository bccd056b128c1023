package worken_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/oauth2"

	"github.com/parleyhq/parley/netguard"
	"github.com/parleyhq/parley/netguard/ssrftest"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/server/worken"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/webhooks"
)

// TestSSRFWebhookEndpointAPI creates a Worken webhook endpoint with every
// URL of the SSRF set. Each is refused there (422, param url, saying why),
// but for the redirects, whose URL is a public server's: their deliveries
// fail with the redirect, not followed. Nothing reaches the loopback
// listener.
func TestSSRFWebhookEndpointAPI(t *testing.T) {
	s := ssrftest.Start(t)
	e := servertest.NewWith(t, servertest.Options{Policy: &s.Policy}, worken.Dialect)
	refused := 0
	accepted := map[string]netguard.HostileURL{} // endpoint id: its URL
	for _, h := range s.URLs {
		r := e.Do("POST", "/webhook-endpoints", e.A.Bearer(), map[string]any{"url": h.URL, "secret": "my-signing-secret"})
		if r.Status == http.StatusOK && h.Redirect {
			var ep struct{ ID string }
			r.JSON(t, &ep)
			accepted[ep.ID] = h
			continue
		}
		var body struct {
			Error struct{ Message, Param string }
		}
		if r.Status != http.StatusUnprocessableEntity || json.Unmarshal(r.Body, &body) != nil || body.Error.Param != "url" ||
			!strings.Contains(body.Error.Message, "The endpoint URL is refused: ") {
			t.Errorf("%s (%s): %d %s, want 422 refusing url with a reason", h.URL, h.What, r.Status, r.Body)
			continue
		}
		refused++
	}
	if len(accepted) == 0 {
		t.Fatal("no redirect URL was accepted: the test of deliveries has nothing to send")
	}
	// An event every Worken endpoint is sent.
	ev := store.Event{ProjectID: e.A.ID, Type: "billing.balance.low", Data: store.EventData{Extra: map[string]any{"balance": 1}}}
	if err := e.Store.LogEvents(t.Context(), []store.Event{ev}); err != nil {
		t.Fatal(err)
	}
	d := &webhooks.Dispatcher{Store: e.Store, Box: e.Secrets, Sender: &webhooks.Sender{Client: s.Policy.Client(webhooks.AttemptTimeout)},
		Data: func(store.Event) (json.RawMessage, error) { return json.RawMessage(`{}`), nil }}
	last := map[string]store.Delivery{}
	deadline := time.Now().Add(20 * time.Second)
	for len(last) < len(accepted) {
		if _, err := d.Step(t.Context()); err != nil {
			t.Fatal(err)
		}
		for id := range accepted {
			ds, err := e.Store.Deliveries(t.Context(), e.A.ID, id, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) > 0 && ds[0].Attempts > 0 {
				last[id] = ds[0]
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d endpoints had an attempt within 20s", len(last), len(accepted))
		}
		time.Sleep(20 * time.Millisecond)
	}
	for id, h := range accepted {
		dl := last[id]
		if dl.DeliveredAt != nil || dl.LastStatus < 300 || dl.LastStatus > 399 || !strings.Contains(dl.LastError, "which is not followed") {
			t.Errorf("%s (%s): delivery %+v, want a failed attempt: a redirect, not followed", h.URL, h.What, dl)
			continue
		}
		refused++
	}
	if got := s.Redirects(); got != int64(len(accepted)) {
		t.Errorf("the redirecting server answered %d attempts, want %d: one per endpoint", got, len(accepted))
	}
	s.Report(t, "Worken webhook endpoint (POST /webhook-endpoints, then its deliveries)", refused, len(s.URLs))
}

// TestSSRFOAuthTokenEndpoint trades a code at a token endpoint that is each
// URL of the SSRF set. The token URL is the operator's
// (PARLEY_OAUTH_<VENDOR>_TOKEN_URL), not a user's, but it goes through the
// same guard: each exchange fails before any connection to an internal
// address, and the callback's answer (502) says why.
func TestSSRFOAuthTokenEndpoint(t *testing.T) {
	s := ssrftest.Start(t)
	refused := 0
	for _, h := range s.URLs {
		conf := &oauth2.Config{ClientID: "parley", ClientSecret: "secret",
			Endpoint: oauth2.Endpoint{TokenURL: h.URL, AuthStyle: oauth2.AuthStyleInParams}}
		tok, err := worken.ExchangeWith(t.Context(), s.Policy, conf, "code", oauth2.GenerateVerifier())
		if err == nil {
			t.Errorf("%s (%s): got a token %v", h.URL, h.What, tok)
			continue
		}
		rec := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(rec)
		c.Request = httptest.NewRequest(http.MethodGet, "/integrations/x/oauth/callback", nil)
		worken.VendorFailed(c, "google", err)
		want := "its token endpoint is refused: "
		if h.Redirect {
			want = "which Parley does not follow"
		}
		if rec.Code != http.StatusBadGateway || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("%s (%s): %v answered %d %s, want 502 saying %q", h.URL, h.What, err, rec.Code, rec.Body, want)
			continue
		}
		refused++
	}
	if got, want := s.Redirects(), int64(len(s.URLs)-len(nonRedirects(s.URLs))); got != want {
		t.Errorf("the redirecting server answered %d exchanges, want %d: one per redirect URL", got, want)
	}
	s.Report(t, "OAuth token endpoint (operator-set)", refused, len(s.URLs))
}

func nonRedirects(urls []netguard.HostileURL) []netguard.HostileURL {
	var out []netguard.HostileURL
	for _, h := range urls {
		if !h.Redirect {
			out = append(out, h)
		}
	}
	return out
}
