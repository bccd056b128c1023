package web_test

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/server/widget"
)

// TestTestChatInBrowser: an author talks to the draft in the editor's test
// chat (the canvas outlines the node the dialog waits at; its next timer
// can be skipped to), saves the chat as a conversation test and runs the
// bot's tests with the failing node marked, replays the
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

	// The chat becomes a conversation test; a second test, written by hand
	// for the published words, fails on the draft at the thanks node.
	step(t, ctx, "saving the chat as a test",
		chromedp.Click(css(`[data-testid=test-chat-save-test]`)),
		waitText(`[data-testid=test-chat-saved]`, "Saved as the test"),
	)
	var tests struct{ Source string }
	e.Do("GET", "/v1/bots/shop/tests", e.A.Bearer(), nil).JSON(t, &tests)
	if !strings.Contains(tests.Source, "Thank you! M it is.") {
		t.Fatalf("the saved test file does not hold the chat:\n%s", tests.Source)
	}
	handWritten := tests.Source + `  - name: the published thanks
    steps:
      - expect: { says: ["Size?"] }
      - user: M
        expect: { says: ["Thanks, M it is.", "Bye!"] }
`
	if r := e.DoWith("PUT", "/v1/bots/shop/tests", http.Header{"Authorization": {e.A.Bearer()}, "Content-Type": {"application/yaml"}}, handWritten); r.Status != http.StatusOK {
		t.Fatalf("saving the tests: %d %s", r.Status, r.Body)
	}
	step(t, ctx, "running the tests against the draft",
		chromedp.Click(css(`[data-testid=tests-toggle]`)),
		waitText(`[data-testid=tests-list]`, "the published thanks"),
		chromedp.Click(css(`[data-testid=tests-run]`)),
		waitText(`[data-testid=tests-summary]`, "1 passed, 1 failed"),
		waitText(`[data-testid=tests-failure]`, "thanks"),
		chromedp.WaitVisible(css(`.react-flow__node.test-failed[data-id="thanks"]`)),
		chromedp.WaitVisible(css(`.react-flow__node[data-id="ask_size"]:not(.test-failed)`)),
	)
	screenshot(t, ctx, "tests.png")
	step(t, ctx, "going back to the chat",
		chromedp.Click(css(`[data-testid=test-chat-toggle]`)),
		chromedp.WaitNotPresent(css(`.react-flow__node.test-failed`)),
	)
	// Time travel: a restarted chat waits at the question, whose only timer
	// is the user's inactivity; skipping to it interrupts the dialog.
	step(t, ctx, "restarting and skipping to the next timer",
		chromedp.Click(css(`[data-testid=test-chat-start]`)),
		waitText(`[data-testid=test-chat-timer]`, "inactivity in 24 h"),
		chromedp.Click(css(`[data-testid=test-chat-skip]`)),
		waitText(`[data-testid=test-chat-log]`, "The dialog has ended (interrupted)"),
		chromedp.WaitNotPresent(css(`[data-testid=test-chat-timer]`)),
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

// TestTestChatFileInBrowser: the test chat answers a file question with a
// file, as a user would, and the draft goes on with it.
func TestTestChatFileInBrowser(t *testing.T) {
	ctx := browser(t)
	e := servertest.New(t, native.Dialect)
	if r := e.Do("PUT", "/v1/bots/docs/flow", e.A.Bearer(), servertest.DocsBot); r.Status != http.StatusOK {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	var pic bytes.Buffer
	if err := png.Encode(&pic, image.NewRGBA(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "passport.png")
	if err := os.WriteFile(path, pic.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	signIn(t, ctx, e)
	step(t, ctx, "starting the test chat at the file question",
		chromedp.Navigate(e.URL+"/ui#/bots/docs"),
		chromedp.WaitVisible(css(`.react-flow__node[data-id="ask_scan"]`)),
		chromedp.Click(css(`[data-testid=test-chat-toggle]`)),
		chromedp.Click(css(`[data-testid=test-chat-start]`)),
		waitText(`[data-testid=test-chat-log]`, "Upload a scan of your ID."),
	)
	step(t, ctx, "sending a picture",
		chromedp.SetUploadFiles(css(`[data-testid=test-chat-file]`), []string{path}),
		waitText(`[data-testid=test-chat-log]`, "Got passport.png."),
		waitText(`[data-testid=test-chat-state]`, "image/png"),
	)
}
