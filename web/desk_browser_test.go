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

// TestDeskAndWidgetInBrowser: a visitor in the widget (one tab) is handed
// to a person; an operator in the inbox (another tab) sees the dialog
// arrive, takes it and writes; the visitor reads it, and the bot's words
// after the release; the operator's note never reaches the visitor.
func TestDeskAndWidgetInBrowser(t *testing.T) {
	operator := browser(t)
	visitor, closeVisitor := chromedp.NewContext(operator) // a second tab of the same browser
	defer closeVisitor()
	e := servertest.New(t, native.Dialect, widget.Dialect)
	if r := e.Do("PUT", "/v1/bots/desk/flow", e.A.Bearer(), servertest.DeskBot); r.Status != http.StatusOK {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	u, _ := url.Parse(e.URL)
	var ch struct {
		SiteToken string `json:"site_token"`
	}
	e.Do("POST", "/v1/bots/desk/channels", e.A.Bearer(), map[string]any{"kind": "widget", "allowed_origins": []string{u.Scheme + "://" + u.Host}}).JSON(t, &ch)
	signIn(t, operator, e)
	step(t, operator, "opening the inbox",
		chromedp.Click(css(`[data-testid=nav-inbox]`)),
		chromedp.Click(css(`[data-testid=inbox-tab-unassigned]`)),
	)

	run(t, visitor, "opening the widget", chromedp.Navigate(e.URL+"/ui/widget-demo?bot=desk&token="+url.QueryEscape(ch.SiteToken)))
	openWidget(t, visitor)
	waitInWidget(t, visitor, "Your order number?")
	say(t, visitor, "A-17")
	waitInWidget(t, visitor, "A person will look at order A-17.")

	var list struct{ Dialogs []struct{ ID string } }
	e.Do("GET", "/v1/dialogs?bot=desk", e.A.Bearer(), nil).JSON(t, &list)
	if len(list.Dialogs) != 1 {
		t.Fatalf("dialogs: %+v", list.Dialogs)
	}
	row := fmt.Sprintf(`[data-testid="inbox-row-%s"]`, list.Dialogs[0].ID)
	step(t, operator, "taking the visitor's dialog and writing",
		chromedp.WaitVisible(css(row)),
		chromedp.Click(css(row)),
		waitText(`[data-testid=transcript]`, "A-17"),
		chromedp.Click(css(`[data-testid=take]`)),
		chromedp.WaitReady(css(`[data-testid=take][disabled]`)),
		chromedp.SendKeys(css(`[data-testid=composer]`), "Hello, I am Kate from billing."),
		chromedp.Click(css(`[data-testid=composer-send]`)),
		waitText(`.msg-operator`, "Hello, I am Kate from billing."),
		chromedp.Click(css(`[data-testid=composer-mode-note]`)),
		chromedp.SendKeys(css(`[data-testid=composer]`), "VIP customer"),
		chromedp.Click(css(`[data-testid=composer-send]`)),
		waitText(`[data-testid=transcript-note]`, "VIP customer"),
	)
	waitInWidget(t, visitor, "Hello, I am Kate from billing.")
	say(t, visitor, "Thanks Kate")
	step(t, operator, "reading the visitor's answer and releasing",
		waitText(`[data-testid=transcript]`, "Thanks Kate"),
		chromedp.SendKeys(css(`[data-testid=release-variables]`), `{"refund": 25}`),
		chromedp.Click(css(`[data-testid=release]`)),
		waitText(`[data-testid=transcript]`, "Refunded 25 for A-17."),
	)
	waitInWidget(t, visitor, "Refunded 25 for A-17.")
	shown, err := chromedp.Run(visitor, chromedp.Evaluate[string](inWidget(`return w.querySelector('.log').textContent`)))
	if err != nil || containsAny(shown, "VIP customer") {
		t.Errorf("the visitor's widget shows %q (%v): a note reached it", shown, err)
	}
}

// openWidget clicks the widget's launcher once the script has drawn it.
func openWidget(t *testing.T, ctx context.Context) {
	t.Helper()
	click := chromedp.Evaluate[bool](`(() => { const h = document.querySelector('[data-parley-widget]'); if (!h) return false; h.shadowRoot.querySelector('.launch').click(); return true })()`)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if ok, _ := chromedp.Run(ctx, click); ok {
			return
		}
	}
	t.Fatal("the widget never appeared on the page")
}

// say sends the visitor's text from the widget's form.
func say(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	js := inWidget(fmt.Sprintf(`const i = w.querySelector('input'); i.value = %q; w.querySelector('form').requestSubmit(); return true`, text))
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js)); err != nil {
		t.Fatal(err)
	}
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
