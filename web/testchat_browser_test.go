package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/server/widget"
)

// TestTestChatInBrowser: an author talks to the draft in the editor's test
// chat (the canvas outlines the node the dialog waits at), replays the
// bot's real dialogs against the draft before publishing, and compares two
// versions with the changed node marked on the canvas.
func TestTestChatInBrowser(t *testing.T) {
	ctx := browser(t)
	e := servertest.New(t, native.Dialect, widget.Dialect)
	if r := e.Do("PUT", "/v1/bots/shop/flow", e.A.Bearer(), shop); r.Status != http.StatusOK {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	// One real dialog on version 1, for the replay.
	var real struct{ ID string }
	if r := e.Do("POST", "/v1/bots/shop/dialogs", e.A.Bearer(), map[string]any{}); r.Status != http.StatusCreated {
		t.Fatalf("creating a dialog: %d %s", r.Status, r.Body)
	} else {
		r.JSON(t, &real)
	}
	if r := e.Do("POST", "/v1/dialogs/"+real.ID+"/messages", e.A.Bearer(), map[string]any{"text": "L"}); r.Status != http.StatusOK {
		t.Fatalf("answering: %d %s", r.Status, r.Body)
	}
	// The draft thanks otherwise: the test chat must run it, and the replay must see the difference.
	changed := strings.Replace(shop, `"Thanks, {{ size }} it is."`, `"Thank you! {{ size }} it is."`, 1)
	if r := e.Do("PUT", "/v1/bots/shop/draft", e.A.Bearer(), changed); r.Status != http.StatusOK && r.Status != http.StatusCreated {
		t.Fatalf("saving the draft: %d %s", r.Status, r.Body)
	}

	signIn(t, ctx, e)
	step(t, ctx, "opening the editor",
		chromedp.Navigate(e.URL+"/ui#/bots/shop"),
		chromedp.WaitVisible(css(`.react-flow__node[data-id="ask_size"]`)),
	)
	step(t, ctx, "starting the test chat",
		chromedp.Click(css(`[data-testid=test-chat-toggle]`)),
		chromedp.WaitVisible(css(`[data-testid=test-chat]`)),
		chromedp.Click(css(`[data-testid=test-chat-start]`)),
		waitText(`[data-testid=test-chat-log]`, "Size?"),
		chromedp.WaitVisible(css(`.react-flow__node.test-waiting[data-id="ask_size"]`)),
		chromedp.WaitVisible(css(`[data-testid=chat-chip]`)),
	)
	screenshot(t, ctx, "test-chat.png")
	clicked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](
		`(() => { const b = [...document.querySelectorAll('[data-testid=chat-chip]')].find((b) => b.textContent === 'M'); b?.click(); return !!b })()`))
	if err != nil || !clicked {
		t.Fatalf("clicking the M chip: %v %v", clicked, err)
	}
	step(t, ctx, "seeing the draft's answer and the dialog move on",
		waitText(`[data-testid=test-chat-log]`, "Thank you! M it is."),
		waitText(`[data-testid=test-chat-log]`, "Bye!"),
		chromedp.WaitNotPresent(css(`.react-flow__node.test-waiting`)),
		waitText(`[data-testid=test-chat-state]`, `"M"`),
	)

	step(t, ctx, "replaying the real dialog against the draft",
		chromedp.Click(css(`[data-testid=replay]`)),
		chromedp.WaitVisible(css(`[data-testid=replay-results]`)),
		waitText(`[data-testid=replay-summary]`, "1 of 1"),
		chromedp.WaitVisible(css(`[data-testid=replay-changed]`)),
		waitText(`[data-testid=replay-changed]`, "Thank you!"),
	)

	// Version 2 changes thanks (and the editor's text is version 2's too).
	if r := e.Do("PUT", "/v1/bots/shop/flow", e.A.Bearer(), changed); r.Status != http.StatusOK {
		t.Fatalf("publishing version 2: %d %s", r.Status, r.Body)
	}
	step(t, ctx, "listing the versions",
		chromedp.Click(css(`[data-testid=versions]`)),
		chromedp.WaitVisible(css(`[data-testid=version-pick-2]`)),
		chromedp.WaitVisible(css(`[data-testid=version-pick-1]`)),
	)
	// Version 2 and the editor are preselected: compare versions 1 and 2 instead.
	step(t, ctx, "comparing versions 1 and 2",
		chromedp.Click(css(`[data-testid=version-pick-editor]`)),
		chromedp.Click(css(`[data-testid=version-pick-1]`)),
		chromedp.Click(css(`[data-testid=versions-compare]`)),
		chromedp.WaitVisible(css(`[data-testid=version-diff]`)),
		chromedp.WaitVisible(css(`[data-testid=version-diff] .react-flow__node.diff-changed[data-id="thanks"]`)),
		chromedp.WaitVisible(css(`[data-testid=version-diff] .react-flow__node.diff-same[data-id="ask_size"]`)),
		waitText(`[data-testid=diff-counts]`, "1 changed"),
		waitText(`[data-testid=line-diff] .diff-del`, "Thanks, {{ size }} it is."),
		waitText(`[data-testid=line-diff] .diff-add`, "Thank you! {{ size }} it is."),
	)
	screenshot(t, ctx, "version-diff.png")
	step(t, ctx, "going back to editing",
		chromedp.Click(css(`[data-testid=diff-close]`)),
		chromedp.WaitNotPresent(css(`[data-testid=version-diff]`)),
		chromedp.WaitVisible(css(`.react-flow__node[data-id="thanks"]`)),
	)
}
