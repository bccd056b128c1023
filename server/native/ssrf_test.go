package native_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/netguard"
	"github.com/parleyhq/parley/netguard/ssrftest"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/webhooks"
)

// apiRefusal reports whether r is the API's refusal of the url field with
// a reason: 400 naming url, saying the URL is refused and why.
func apiRefusal(t *testing.T, h netguard.HostileURL, r *servertest.Response) bool {
	t.Helper()
	body := string(r.Body)
	if r.Status != http.StatusBadRequest || !strings.Contains(body, `"url"`) ||
		(!strings.Contains(body, "The webhook URL is refused: ") && !strings.Contains(body, "must be an http or https URL")) {
		t.Errorf("%s (%s): %d %s, want 400 refusing url with a reason", h.URL, h.What, r.Status, body)
		return false
	}
	return true
}

// TestSSRFWebhookAPI creates a webhook with every URL of the SSRF set over
// the native API. Each is refused there (400 naming url and why), but for
// the redirects, whose URL is a public server's: their deliveries fail,
// and the API's deliveries show why. Nothing reaches the loopback listener.
func TestSSRFWebhookAPI(t *testing.T) {
	s := ssrftest.Start(t)
	e := servertest.NewWith(t, servertest.Options{Policy: &s.Policy}, native.Dialect)
	refused := 0
	accepted := map[string]netguard.HostileURL{} // webhook id: its URL
	for _, h := range s.URLs {
		r := e.Do("POST", "/v1/webhooks", e.A.Bearer(), map[string]any{"url": h.URL, "events": []string{store.EventWebhookTest}})
		if r.Status == http.StatusCreated && h.Redirect {
			var w struct{ ID string }
			r.JSON(t, &w)
			accepted[w.ID] = h
			continue
		}
		if apiRefusal(t, h, r) {
			refused++
		}
	}
	if len(accepted) == 0 {
		t.Fatal("no redirect URL was accepted: the test of deliveries has nothing to send")
	}
	for id := range accepted {
		if r := e.Do("POST", "/v1/webhooks/"+id+"/test", e.A.Bearer(), nil); r.Status != http.StatusAccepted {
			t.Fatalf("testing webhook %s: %d %s", id, r.Status, r.Body)
		}
	}
	d := &webhooks.Dispatcher{Store: e.Store, Box: e.Secrets, Sender: &webhooks.Sender{Client: s.Policy.Client(webhooks.AttemptTimeout)},
		Data: native.WebhookData}
	type delivery struct {
		Attempts   int    `json:"attempts"`
		Status     string `json:"status"`
		LastStatus int    `json:"last_status"`
		LastError  string `json:"last_error"`
	}
	last := map[string]delivery{}
	deadline := time.Now().Add(20 * time.Second)
	for len(last) < len(accepted) {
		if _, err := d.Step(t.Context()); err != nil {
			t.Fatal(err)
		}
		for id := range accepted {
			var got struct{ Deliveries []delivery }
			e.Do("GET", "/v1/webhooks/"+id+"/deliveries", e.A.Bearer(), nil).JSON(t, &got)
			if len(got.Deliveries) > 0 && got.Deliveries[0].Attempts > 0 {
				last[id] = got.Deliveries[0]
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d webhooks had an attempt within 20s", len(last), len(accepted))
		}
		time.Sleep(20 * time.Millisecond)
	}
	for id, h := range accepted {
		dl := last[id]
		if dl.Status == "delivered" || dl.LastStatus < 300 || dl.LastStatus > 399 || !strings.Contains(dl.LastError, "which is not followed") {
			t.Errorf("%s (%s): delivery %+v, want a failed attempt: a redirect, not followed", h.URL, h.What, dl)
			continue
		}
		refused++
	}
	if got := s.Redirects(); got != int64(len(accepted)) {
		t.Errorf("the redirecting server answered %d attempts, want %d: one per webhook", got, len(accepted))
	}
	s.Report(t, "native webhook (POST /v1/webhooks, then its deliveries)", refused, len(s.URLs))
}

// TestSSRFWebhookAPIChange changes a webhook's URL to every URL of the set
// (PATCH): each is refused but the redirects, as when it is created; the
// webhook keeps its URL.
func TestSSRFWebhookAPIChange(t *testing.T) {
	s := ssrftest.Start(t)
	e := servertest.NewWith(t, servertest.Options{Policy: &s.Policy}, native.Dialect)
	good := "http://" + netguard.PublicName + ":1/hooks" // public.test is allowed
	var w struct{ ID, URL string }
	if r := e.Do("POST", "/v1/webhooks", e.A.Bearer(), map[string]any{"url": good, "events": []string{"*"}}); r.Status != http.StatusCreated {
		t.Fatalf("creating: %d %s", r.Status, r.Body)
	} else {
		r.JSON(t, &w)
	}
	refused, tried := 0, 0
	for _, h := range s.URLs {
		if h.Redirect {
			continue // a public server's URL: its deliveries fail (TestSSRFWebhookAPI)
		}
		tried++
		if apiRefusal(t, h, e.Do("PATCH", "/v1/webhooks/"+w.ID, e.A.Bearer(), map[string]any{"url": h.URL})) {
			refused++
		}
	}
	e.Do("GET", "/v1/webhooks/"+w.ID, e.A.Bearer(), nil).JSON(t, &w)
	if w.URL != good {
		t.Errorf("the webhook's URL is %q, want %q", w.URL, good)
	}
	s.Report(t, "native webhook (PATCH /v1/webhooks/{id}; redirects: at delivery)", refused, tried)
}

// ssrfBlockBot calls a block service at %s first thing, with no on_error:
// a failed call stops the dialog with the reason.
const ssrfBlockBot = `bot: %s
nodes:
  lookup:
    kind: block
    url: %q
    wait: false
    next: done
  done:
    kind: end
    text: Done.
`

// TestSSRFBlockDialog publishes a bot whose block has each URL of the set
// and starts a dialog. What the bot file shows is refused when it is
// published (422, with the problem's line and column); the others stop
// the dialog with an error whose message says the call was refused and
// why (or that a redirect was not followed). Nothing reaches the loopback
// listener.
func TestSSRFBlockDialog(t *testing.T) {
	s := ssrftest.Start(t)
	// A dialog for each URL: more than one key's dialogs budget.
	noBudget := map[string]server.RouteLimit{server.DialogLimitName: {}}
	e := servertest.NewWith(t, servertest.Options{Policy: &s.Policy, RouteLimits: noBudget}, native.Dialect)
	var mu sync.Mutex
	refused, atPublish := 0, 0
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				ok, published := blockDialog(t, e, s.URLs[i], fmt.Sprintf("ssrf%d", i))
				mu.Lock()
				if ok {
					refused++
				}
				if !published {
					atPublish++
				}
				mu.Unlock()
			}
		}()
	}
	for i := range s.URLs {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	t.Logf("%d refused when published, %d in the dialog", atPublish, refused-atPublish)
	s.Report(t, "block in a dialog (bot file, then the call)", refused, len(s.URLs))
}

// blockDialog publishes slug with h's URL and, if that is accepted, starts
// a dialog. ok: refused with a reason; published: the bot was accepted.
func blockDialog(t *testing.T, e *servertest.Env, h netguard.HostileURL, slug string) (ok, published bool) {
	r := e.Do("PUT", "/v1/bots/"+slug+"/flow", e.A.Bearer(), fmt.Sprintf(ssrfBlockBot, slug, h.URL))
	if r.Status != http.StatusOK {
		body := string(r.Body)
		// The url is on line 5, its value at column 10.
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(body, `"line":5`) || !strings.Contains(body, `"column":10`) ||
			!strings.Contains(body, "bad_url") {
			t.Errorf("%s (%s): publishing: %d %s, want 422 with the url's problem at 5:10", h.URL, h.What, r.Status, body)
			return false, false
		}
		return true, false
	}
	var created struct{ ID string }
	if r := e.Do("POST", "/v1/bots/"+slug+"/dialogs", e.A.Bearer(), map[string]any{}); r.Status != http.StatusCreated {
		t.Errorf("%s (%s): starting: %d %s", h.URL, h.What, r.Status, r.Body)
		return false, true
	} else {
		r.JSON(t, &created)
	}
	var view struct {
		Status   string
		Messages []struct{ Role, Text string }
	}
	e.Do("GET", "/v1/dialogs/"+created.ID, e.A.Bearer(), nil).JSON(t, &view)
	want := "is refused: "
	if h.Redirect {
		want = "which Parley does not follow"
	}
	for _, m := range view.Messages {
		if m.Role == store.MessageSystem && strings.Contains(m.Text, `the block service at `+h.URL+` failed: `) && strings.Contains(m.Text, want) {
			if view.Status != store.StatusError {
				t.Errorf("%s (%s): status %s, want error", h.URL, h.What, view.Status)
				return false, true
			}
			return true, true
		}
	}
	t.Errorf("%s (%s): the dialog is %s with %+v, want an error saying %q", h.URL, h.What, view.Status, view.Messages, want)
	return false, true
}
