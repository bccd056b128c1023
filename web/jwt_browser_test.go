package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
)

// TestAccessTokenLinkInBrowser: the app opened with a JWT in the hash (a
// ReplyX front end's link to Parley's inbox) is signed in as the token's
// user at once, and the token leaves the address; a signed-out token
// lands on the sign-in page saying why.
func TestAccessTokenLinkInBrowser(t *testing.T) {
	ctx := browser(t)
	e := servertest.New(t, native.Dialect)
	user, err := e.Store.UserByEmail(t.Context(), e.A.Email)
	if err != nil {
		t.Fatal(err)
	}
	tokens := server.NewTokens(e.Secrets)
	jwt, _, err := tokens.Issue(t.Context(), e.Store, user.ID, e.A.ID)
	if err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "opening the inbox with the token",
		chromedp.Navigate(e.URL+"/ui#/inbox?access_token="+jwt),
		chromedp.WaitVisible(css(`[data-testid=inbox-tab-mine]`)),
	)
	address, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(address, "access_token") || !strings.HasSuffix(address, "#/inbox") {
		t.Errorf("the address after signing in: %q; want #/inbox without the token", address)
	}
	// The new tab's blank page and the app: the token's address was
	// replaced, not pushed behind the clean one.
	history, err := chromedp.Run(ctx, chromedp.Evaluate[int](`history.length`))
	if err != nil || history != 2 {
		t.Errorf("history holds %d entries; the token's address must be replaced, not kept", history)
	}
	if r := e.Do("GET", "/v1/session", "Bearer "+jwt, nil); r.Status != http.StatusOK {
		t.Errorf("the JWT after the exchange: %d %s", r.Status, r.Body)
	}

	run(t, ctx, "signing out", chromedp.Click(css(`[data-testid=sign-out]`)), chromedp.WaitVisible(css(`[data-testid=login-email]`)))
	if err := tokens.Revoke(t.Context(), e.Store, jwt); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "opening the app with a revoked token",
		chromedp.Navigate("about:blank"),
		chromedp.Navigate(e.URL+"/ui#access_token="+jwt),
		chromedp.WaitVisible(css(`[data-testid=login-error]`)),
	)
	message, err := chromedp.Run(ctx, chromedp.Text(css(`[data-testid=login-error]`)))
	if err != nil || !strings.Contains(message, "access token") {
		t.Errorf("the sign-in page says %q; want why the token was refused", message)
	}
}
