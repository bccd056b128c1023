package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
)

// bigBot is a bot of n nodes: a chain of messages with a question every
// tenth node, no ui positions (so the editor lays all of them out).
func bigBot(n int) string {
	var b strings.Builder
	b.WriteString("bot: big\nvariables:\n  answer: { type: string }\nnodes:\n")
	for i := range n {
		next := fmt.Sprintf("n%d", i+1)
		if i == n-1 {
			fmt.Fprintf(&b, "  n%d:\n    kind: end\n    text: Bye.\n", i)
			continue
		}
		if i%10 == 0 {
			fmt.Fprintf(&b, "  n%d:\n    kind: question\n    text: Question %d?\n    save: answer\n    next: %s\n", i, i, next)
			continue
		}
		fmt.Fprintf(&b, "  n%d:\n    kind: message\n    text: Message %d.\n    next: %s\n", i, i, next)
	}
	return b.String()
}

// openBig signs in and publishes a 300-node bot; the editor is opened by
// the benchmarks.
func openBig(b *testing.B) (context.Context, *servertest.Env) {
	ctx := browser(b)
	e := servertest.New(b, native.Dialect)
	if r := e.Do("PUT", "/v1/bots/big/flow", e.A.Bearer(), bigBot(300)); r.Status != http.StatusOK {
		b.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	return ctx, e
}

// BenchmarkEditorOpen300: from navigating to a 300-node bot's editor to
// its last node drawn: the file read, the server's graph answer, the
// layout and the first paint.
func BenchmarkEditorOpen300(b *testing.B) {
	ctx, e := openBig(b)
	signIn(b, ctx, e)
	last := css(`.react-flow__node[data-id="n299"]`)
	b.ResetTimer()
	for range b.N {
		if err := chromedp.Do(ctx, chromedp.Navigate(e.URL+"/ui#/bots/big"), chromedp.WaitReady(last)); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkEditorDrag300: dragging one node of a 300-node bot until the
// editor shows the file changed: the mouse events, React Flow's drag, the
// ui patch and CodeMirror's update (not the graph's next answer, which
// waits for typing to pause).
func BenchmarkEditorDrag300(b *testing.B) {
	ctx, e := openBig(b)
	signIn(b, ctx, e)
	if err := chromedp.Do(ctx, chromedp.Navigate(e.URL+"/ui#/bots/big"), chromedp.WaitReady(css(`.react-flow__node[data-id="n299"]`))); err != nil {
		b.Fatal(err)
	}
	// Zoom in to a size a person drags at (the whole bot fits at a tenth).
	for range 8 {
		if err := chromedp.Do(ctx, chromedp.Click(css(`.react-flow__controls-zoomin`)), chromedp.Sleep(50*time.Millisecond)); err != nil {
			b.Fatal(err)
		}
	}
	// The node nearest the middle of the canvas: at the zoom that fits 300
	// nodes, the first ones are out of sight.
	where := `(() => {
		const pane = document.querySelector('.react-flow').getBoundingClientRect();
		const cx = pane.x + pane.width/2, cy = pane.y + pane.height/2;
		let best = null, dist = Infinity;
		for (const n of document.querySelectorAll('.react-flow__node')) {
			const r = n.getBoundingClientRect(), x = r.x + r.width/2, y = r.y + r.height/2;
			const d = Math.hypot(x - cx, y - cy);
			if (d < dist) { dist = d; best = [x, y]; }
		}
		return best;
	})()`
	dirty := chromedp.Evaluate[bool](`document.querySelector('[data-testid=save]').textContent.includes('•')`)
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		// Saved, so the next drag's edit shows as an unsaved change.
		if err := chromedp.Do(ctx, chromedp.Click(css(`[data-testid=save]`))); err != nil {
			b.Fatal(err)
		}
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			if d, err := chromedp.Run(ctx, dirty); err == nil && !d {
				break
			}
			if time.Now().After(deadline) {
				b.Fatal("the draft never saved")
			}
		}
		box, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](where))
		if err != nil {
			b.Fatal(err)
		}
		dx := float64(30 + 10*(i%5))
		b.StartTimer()
		if err := chromedp.Do(ctx, chromedp.DragAndDropXY(box[0], box[1], box[0]+dx, box[1]+20, 5)); err != nil {
			b.Fatal(err)
		}
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(2 * time.Millisecond) {
			if d, err := chromedp.Run(ctx, dirty); err == nil && d {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("the drag from %v never changed the file", box)
			}
		}
	}
}
