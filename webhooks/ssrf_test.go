package webhooks_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/netguard"
	"github.com/parleyhq/parley/netguard/ssrftest"
	"github.com/parleyhq/parley/webhooks"
)

// TestSSRFWebhookSender sends a delivery to every URL of the SSRF set with
// the netguard client, as the dispatcher does: none is delivered, each
// attempt's error says why (what the endpoint's deliveries show), none
// reaches the loopback listener, a redirect is answered once and not
// followed, and no error shows the URL's query (a receiver's token).
func TestSSRFWebhookSender(t *testing.T) {
	e := ssrftest.Start(t)
	s := &webhooks.Sender{Client: e.Policy.Client(webhooks.AttemptTimeout)}
	secret, err := webhooks.NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	refused, redirects := 0, 0
	for _, h := range e.URLs {
		start := time.Now()
		res := s.Send(t.Context(), webhooks.Attempt{URL: h.URL, ID: "evt_ssrf", Body: []byte(`{}`), Secrets: []string{secret}})
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s (%s): took %v", h.URL, h.What, d)
		}
		if u, err := url.Parse(h.URL); err == nil && u.RawQuery != "" && res.Err != nil && strings.Contains(res.Err.Error(), u.RawQuery) {
			t.Errorf("%s: the error %q shows the URL's query", h.URL, res.Err)
		}
		switch {
		case res.Delivered || res.Err == nil:
			t.Errorf("%s (%s): %+v, want a refused attempt", h.URL, h.What, res)
		case h.Redirect:
			redirects++
			if res.Status < 300 || res.Status > 399 || !strings.Contains(res.Err.Error(), "which is not followed") {
				t.Errorf("%s (%s): %d %v, want the 3xx, not followed", h.URL, h.What, res.Status, res.Err)
				continue
			}
			refused++
		case !errors.Is(res.Err, netguard.ErrRefused) || res.Status != 0:
			t.Errorf("%s (%s): %d %v, want ErrRefused and no status", h.URL, h.What, res.Status, res.Err)
		case !strings.Contains(res.Err.Error(), "to allow it set "+netguard.EnvAllow) && !strings.Contains(res.Err.Error(), "http and https") &&
			!strings.Contains(res.Err.Error(), "written in a form") && !strings.Contains(res.Err.Error(), "not a valid") &&
			!strings.Contains(res.Err.Error(), "looks like an IP address") && !strings.Contains(res.Err.Error(), "has no "):
			t.Errorf("%s (%s): %v does not say why", h.URL, h.What, res.Err)
		default:
			refused++
		}
	}
	if got := e.Redirects(); got != int64(redirects) {
		t.Errorf("the redirecting server answered %d attempts, want %d: one per redirect URL", got, redirects)
	}
	e.Report(t, "webhook delivery", refused, len(e.URLs))
}
