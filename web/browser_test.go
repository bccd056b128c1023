package web_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/server/widget"
)

// shop is a bot whose nodes all have positions, so the canvas draws them
// where the file says.
const shop = `bot: shop
name: Shop
variables:
  size: { type: string }
nodes:
  ask_size:
    kind: question
    text: Size?
    input: { type: choice, options: [S, M, L] }
    save: size
    next: thanks
    ui: {x: 0, y: 0}
  thanks:
    kind: message
    text: "Thanks, {{ size }} it is."
    next: bye
    ui: {x: 320, y: 0}
  bye:
    kind: end
    text: Bye!
    ui: {x: 640, y: 0}
`

// browser starts headless Chromium for t. Without it the test fails in CI
// (.ci/run installs Debian's chromium) and is skipped elsewhere, saying so.
func browser(t testing.TB) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no chromium: the browser tests need it (apt-get install chromium)")
		}
		t.Skip("no chromium on this machine: install it (apt-get install chromium) to run the browser tests")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.WindowSize(1400, 900))
	alloc, cancel := chromedp.NewExecAllocator(t.Context(), opts...)
	t.Cleanup(cancel)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(cancelCtx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancelTimeout)
	return ctx
}

// run does the steps, failing the test with what on an error.
func run(t testing.TB, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// css is a CSS selector.
func css(s string) chromedp.CSS { return chromedp.CSS(s) }

// signIn opens the app and signs in as project A's user.
func signIn(t testing.TB, ctx context.Context, e *servertest.Env) {
	t.Helper()
	run(t, ctx, "signing in",
		chromedp.Navigate(e.URL+"/ui"),
		chromedp.WaitVisible(css(`[data-testid=login-email]`)),
		chromedp.SendKeys(css(`[data-testid=login-email]`), e.A.Email),
		chromedp.SendKeys(css(`[data-testid=login-password]`), e.A.Password),
		chromedp.Click(css(`[data-testid=login-submit]`)),
		chromedp.WaitVisible(css(`[data-testid=bots-list]`)),
	)
}

// TestEditorInBrowser: a flow author signs in, opens a bot from the list
// and sees every node; dragging one and saving changes only that node's
// `ui` line in the draft.
func TestEditorInBrowser(t *testing.T) {
	ctx := browser(t)
	e := servertest.New(t, native.Dialect, widget.Dialect)
	if r := e.Do("PUT", "/v1/bots/shop/flow", e.A.Bearer(), shop); r.Status != http.StatusOK {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	signIn(t, ctx, e)
	run(t, ctx, "opening the bot", chromedp.Click(css(`[data-testid=bot-shop]`)))
	for _, id := range []string{"ask_size", "thanks", "bye"} {
		run(t, ctx, "seeing node "+id, chromedp.WaitVisible(css(fmt.Sprintf(`.react-flow__node[data-id=%q]`, id))))
	}

	box, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](
		`(() => { const r = document.querySelector('.react-flow__node[data-id="thanks"]').getBoundingClientRect(); return [r.x + r.width/2, r.y + r.height/2] })()`))
	if err != nil || len(box) != 2 {
		t.Fatalf("finding the node: %v %v", box, err)
	}
	run(t, ctx, "dragging the node and saving",
		chromedp.DragAndDropXY(box[0], box[1], box[0]+80, box[1]+120, 10),
		chromedp.Sleep(300*time.Millisecond),
		chromedp.Click(css(`[data-testid=save]`)),
	)
	draft := waitForDraft(t, e)
	changed := changedLines(shop, draft)
	if len(changed) != 1 || !strings.HasPrefix(strings.TrimSpace(changed[0]), "ui: {x: ") || strings.Contains(changed[0], "{x: 320, y: 0}") {
		t.Fatalf("the drag changed %q; want only the ui line of thanks. Draft:\n%s", changed, draft)
	}
}

// TestExamplesInBrowser: every example bot opens in the editor with every
// node of the server's graph on the canvas (laid out by dagre where the
// file gives no position). The support bot's is the README's picture.
func TestExamplesInBrowser(t *testing.T) {
	ctx := browser(t)
	e := servertest.New(t, native.Dialect, widget.Dialect)
	files, err := filepath.Glob(filepath.Join("..", "examples", "bots", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var bots []string
	for _, f := range files {
		if strings.HasSuffix(f, ".test.yaml") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		slug := strings.TrimSuffix(filepath.Base(f), ".yaml")
		if r := e.Do("PUT", "/v1/bots/"+slug+"/flow", e.A.Bearer(), string(src)); r.Status != http.StatusOK {
			t.Fatalf("publishing %s: %d %s", slug, r.Status, r.Body)
		}
		bots = append(bots, slug)
	}
	if len(bots) < 3 {
		t.Fatalf("only %d example bots", len(bots))
	}
	signIn(t, ctx, e)
	for _, slug := range bots {
		var graph struct{ Nodes []struct{ ID string } }
		src, _ := os.ReadFile(filepath.Join("..", "examples", "bots", slug+".yaml"))
		e.Do("POST", "/v1/flows/graph", e.A.Bearer(), string(src)).JSON(t, &graph)
		run(t, ctx, "opening "+slug, chromedp.Navigate(e.URL+"/ui#/bots/"+slug))
		for _, n := range graph.Nodes {
			run(t, ctx, slug+": seeing node "+n.ID, chromedp.WaitReady(css(fmt.Sprintf(`.react-flow__node[data-id=%q]`, n.ID))))
		}
		if slug == "support" {
			screenshot(t, ctx, "editor.png")
		}
	}
}

// waitForDraft returns project A's draft of shop once it is saved.
func waitForDraft(t *testing.T, e *servertest.Env) string {
	t.Helper()
	var draft struct{ Source string }
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if r := e.Do("GET", "/v1/bots/shop/draft", e.A.Bearer(), nil); r.Status == http.StatusOK {
			r.JSON(t, &draft)
			return draft.Source
		}
	}
	t.Fatal("the editor saved no draft")
	return ""
}

// changedLines lists the lines of b that differ from a's, for files with
// the same number of lines (else every line of b).
func changedLines(a, b string) []string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	if len(al) != len(bl) {
		return bl
	}
	var out []string
	for i := range al {
		if al[i] != bl[i] {
			out = append(out, bl[i])
		}
	}
	return out
}

// screenshot saves the page as docs/screenshots/<name> when
// PARLEY_SCREENSHOTS is set (make screenshots): the README's pictures are
// made by the tests, not by hand.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if os.Getenv("PARLEY_SCREENSHOTS") == "" {
		return
	}
	run(t, ctx, "letting the page settle", chromedp.Sleep(500*time.Millisecond))
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("taking a screenshot: %v", err)
	}
	path := filepath.Join("..", "docs", "screenshots", name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}
