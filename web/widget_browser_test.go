package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/server/widget"
)

// inWidget runs JavaScript against the widget's shadow root, bound to w.
func inWidget(js string) string {
	return `(() => { const w = document.querySelector('[data-parley-widget]').shadowRoot; ` + js + ` })()`
}

// waitInWidget waits until the widget's chat log holds text.
func waitInWidget(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	check := chromedp.Evaluate[bool](inWidget(fmt.Sprintf(`return !!w && w.querySelector('.log').textContent.includes(%q)`, text)))
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if ok, err := chromedp.Run(ctx, check); err == nil && ok {
			return
		}
	}
	log, _ := chromedp.Run(ctx, chromedp.Evaluate[string](inWidget(`return w ? w.querySelector('.log').textContent + ' | ' + w.querySelector('.error').textContent : 'no widget'`)))
	t.Fatalf("the widget never showed %q; it shows %q", text, log)
}

// TestWidgetInBrowser: the widget on a page of an allowed origin opens,
// starts a dialog, shows the bot's words, sends the visitor's, and shows
// an operator's message as it is written, through its event stream.
func TestWidgetInBrowser(t *testing.T) {
	ctx := browser(t)
	e := servertest.New(t, native.Dialect, widget.Dialect)
	if r := e.Do("PUT", "/v1/bots/greeter/flow", e.A.Bearer(), servertest.GreeterBot); r.Status != http.StatusOK {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	u, _ := url.Parse(e.URL)
	r := e.Do("POST", "/v1/bots/greeter/channels", e.A.Bearer(), map[string]any{"kind": "widget", "allowed_origins": []string{u.Scheme + "://" + u.Host}})
	var ch struct {
		SiteToken string `json:"site_token"`
	}
	r.JSON(t, &ch)
	if r.Status != http.StatusCreated {
		t.Fatalf("channel: %d %s", r.Status, r.Body)
	}

	run(t, ctx, "opening the demo page", chromedp.Navigate(e.URL+"/ui/widget-demo?bot=greeter&token="+url.QueryEscape(ch.SiteToken)))
	openWidget(t, ctx)
	waitInWidget(t, ctx, "Your name?")
	say(t, ctx, "Ann")
	waitInWidget(t, ctx, "Hello, Ann!")

	var list struct{ Dialogs []struct{ ID string } }
	e.Do("GET", "/v1/dialogs?bot=greeter", e.A.Bearer(), nil).JSON(t, &list)
	if len(list.Dialogs) != 1 {
		t.Fatalf("dialogs: %+v", list.Dialogs)
	}
	op := map[string]any{"action": "message", "operator": "Kate", "text": "Kate here, can I help?"}
	if r := e.Do("POST", "/v1/dialogs/"+list.Dialogs[0].ID+"/operator", e.A.Bearer(), op); r.Status != http.StatusOK {
		t.Fatalf("operator message: %d %s", r.Status, r.Body)
	}
	waitInWidget(t, ctx, "Kate here, can I help?")
	if text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](inWidget(`return w.querySelector('.log').textContent`))); strings.Count(text, "Hello, Ann!") != 1 {
		t.Errorf("the widget shows a message twice: %q", text)
	}
	screenshot(t, ctx, "widget.png")
}
