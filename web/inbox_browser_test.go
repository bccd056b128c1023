package web_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/server/widget"
	"github.com/parleyhq/parley/store"
)

const (
	reply = "Hello Ada, I am looking at order A-17 now."
	note  = "Customer since 2019: refund without questions."
)

// TestInboxInBrowser: a dialog reaches a handoff through the API; an
// operator signs in, finds it under Unassigned (another handed off
// meanwhile shows up live), opens it, checks the ? help, takes it (t) and
// finds it under Mine, sees the user's next message arrive live, answers
// with a canned reply (typed as /shortcut, sent with Enter), writes a note
// and releases it with a variable. The API then holds the operator's
// message, the note apart from the messages, and the handoff released by
// that user. Made a viewer, they read a conversation without any controls,
// and open it on its bot's canvas with the path it took marked.
func TestInboxInBrowser(t *testing.T) {
	ctx := browser(t)
	e := servertest.New(t, native.Dialect, widget.Dialect)
	if r := e.Do("PUT", "/v1/bots/desk/flow", e.A.Bearer(), servertest.DeskBot); r.Status != http.StatusOK {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", "/v1/canned-replies", e.A.Bearer(), map[string]any{"shortcut": "lookup", "text": reply}); r.Status != http.StatusCreated {
		t.Fatalf("saving a canned reply: %d %s", r.Status, r.Body)
	}
	id := handedOff(t, e, map[string]any{"id": "ada-1", "name": "Ada Lovelace", "email": "ada@example.com"}, "A-17")

	signIn(t, ctx, e)
	row := fmt.Sprintf(`[data-testid="inbox-row-%s"]`, id)
	step(t, ctx, "opening the inbox's unassigned dialogs",
		chromedp.Click(css(`[data-testid=nav-inbox]`)),
		chromedp.WaitVisible(css(`[data-testid=inbox-list]`)),
		chromedp.Click(css(`[data-testid=inbox-tab-unassigned]`)),
		chromedp.WaitVisible(css(row)),
	)
	rowText, err := chromedp.Run(ctx, chromedp.Text(css(row)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Ada Lovelace", "billing", "waiting for a person", "A-17"} {
		if !strings.Contains(rowText, want) {
			t.Errorf("the row says %q; want %q in it", rowText, want)
		}
	}
	// The list is live: a dialog handed off now shows up without a reload.
	later := handedOff(t, e, map[string]any{"id": "bob-2"}, "B-99")
	step(t, ctx, "seeing a new handoff arrive", chromedp.WaitVisible(css(fmt.Sprintf(`[data-testid="inbox-row-%s"]`, later))))

	step(t, ctx, "opening the dialog",
		chromedp.Click(css(row)),
		chromedp.WaitVisible(css(`[data-testid=transcript]`)),
		waitText(`[data-testid=transcript]`, "A-17"),
		waitText(`[data-testid=handoff-reason]`, "Refund for A-17"),
		waitText(`[data-testid=person]`, "ada@example.com"),
		waitText(`[data-testid=transcript-node]`, "ask"),
	)
	step(t, ctx, "opening and closing the shortcuts' help",
		chromedp.KeyEvent("?"),
		waitText(`[data-testid=help]`, "Take the conversation"),
		chromedp.KeyEvent(kb.Escape),
		chromedp.WaitNotPresent(css(`[data-testid=help]`)),
	)
	step(t, ctx, "taking it with its key",
		chromedp.KeyEvent("t"),
		chromedp.WaitReady(css(`[data-testid=take][disabled]`)),
		chromedp.Click(css(`[data-testid=inbox-tab-mine]`)),
		chromedp.WaitVisible(css(row)),
		waitText(row, "you"),
	)
	// So is the conversation: what the user writes now appears in it.
	if r := e.Do("POST", "/v1/dialogs/"+id+"/messages", e.A.Bearer(), map[string]any{"text": "Are you there?"}); r.Status != http.StatusOK {
		t.Fatalf("the user writing on: %d %s", r.Status, r.Body)
	}
	step(t, ctx, "seeing the user's new message", waitText(`[data-testid=transcript]`, "Are you there?"))
	step(t, ctx, "answering with a canned reply",
		chromedp.SendKeys(css(`[data-testid=composer]`), "/look"),
		chromedp.WaitVisible(css(`[data-testid=canned-menu] [role=option]`)),
		chromedp.SendKeys(css(`[data-testid=composer]`), kb.Enter), // inserts the reply
		chromedp.SendKeys(css(`[data-testid=composer]`), kb.Enter), // sends it
		waitText(`.msg-operator`, reply),
	)
	step(t, ctx, "writing a note",
		chromedp.Click(css(`[data-testid=composer-mode-note]`)),
		chromedp.SendKeys(css(`[data-testid=composer]`), note),
		chromedp.Click(css(`[data-testid=composer-send]`)),
		waitText(`[data-testid=transcript-note]`, note),
		waitText(`[data-testid=transcript-note]`, "never sent to the user"),
	)
	screenshot(t, ctx, "inbox.png")

	step(t, ctx, "releasing it with a variable",
		chromedp.SendKeys(css(`[data-testid=release-variables]`), `{"refund": 25}`),
		chromedp.Click(css(`[data-testid=release]`)),
		waitText(`[data-testid=transcript]`, "Refunded 25 for A-17."),
	)

	d := getDialog(t, e, id)
	if d.Handoff.Status != "released" || d.Handoff.Operator == nil || d.Handoff.Operator.ID != "user:"+strconv.FormatInt(userID(t, e), 10) {
		t.Errorf("the handoff after the release = %+v, want released by the signed-in user", d.Handoff)
	}
	var operatorSaid, noteAsMessage bool
	for _, m := range d.Messages {
		operatorSaid = operatorSaid || m.Role == "operator" && m.Text == reply
		noteAsMessage = noteAsMessage || strings.Contains(m.Text, note)
	}
	if !operatorSaid {
		t.Errorf("no operator message %q in %+v", reply, d.Messages)
	}
	if noteAsMessage {
		t.Errorf("the note is a message: %+v", d.Messages)
	}
	if len(d.Notes) != 1 || d.Notes[0].Text != note {
		t.Errorf("notes = %+v, want the one written", d.Notes)
	}

	// Made a viewer, the same user reads the other conversation but gets
	// neither the actions nor the composer.
	if err := e.Store.SetMembership(t.Context(), e.A.ID, userID(t, e), store.RoleViewer); err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "signing out", chromedp.Click(css(`[data-testid=sign-out]`)))
	signIn(t, ctx, e) // the server caches a session's caller for a while: a new one reads the role
	step(t, ctx, "reading as a viewer",
		chromedp.Navigate(e.URL+"/ui#/inbox/"+later),
		waitText(`[data-testid=transcript]`, "B-99"),
		waitText(`.topbar`, "read-only"),
	)
	controls, err := chromedp.Run(ctx, chromedp.Evaluate[int](
		`document.querySelectorAll('[data-testid=take], [data-testid=release], [data-testid=close], [data-testid=composer]').length`))
	if err != nil || controls != 0 {
		t.Errorf("a viewer sees %d action controls (%v), want none", controls, err)
	}
	// The bot's graph shows the path the dialog took to the handoff.
	step(t, ctx, "opening the dialog on its bot's canvas",
		chromedp.Click(css(`[data-testid=open-on-canvas]`)),
		chromedp.WaitVisible(css(`.react-flow__node.selected[data-id="human"]`)),
		chromedp.WaitVisible(css(`.react-flow__node.on-path[data-id="ask"]`)),
		chromedp.WaitVisible(css(`.react-flow__node.on-path[data-id="human"]`)),
		chromedp.WaitVisible(css(`.react-flow__node[data-id="done"]:not(.on-path)`)),
	)
}

// step does the steps within 20 seconds (not the browser's 2 minutes), and
// on failure says what the page shows.
func step(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		t.Fatalf("%s: %v; the page shows:\n%s", what, err, page)
	}
}

// handedOff starts a desk dialog for the user (a profile) and answers its question
// with order, which hands it off to the billing queue; it returns its id.
func handedOff(t *testing.T, e *servertest.Env, user map[string]any, order string) string {
	t.Helper()
	var created struct{ ID string }
	if r := e.Do("POST", "/v1/bots/desk/dialogs", e.A.Bearer(), map[string]any{"user": user}); r.Status != http.StatusCreated {
		t.Fatalf("creating a dialog: %d %s", r.Status, r.Body)
	} else {
		r.JSON(t, &created)
	}
	if r := e.Do("POST", "/v1/dialogs/"+created.ID+"/messages", e.A.Bearer(), map[string]any{"text": order}); r.Status != http.StatusOK {
		t.Fatalf("answering: %d %s", r.Status, r.Body)
	}
	if d := getDialog(t, e, created.ID); d.Handoff.Status != "requested" {
		t.Fatalf("the dialog did not reach the handoff: %+v", d.Handoff)
	}
	return created.ID
}

// dialogView is what the test reads of GET /v1/dialogs/{id}.
type dialogView struct {
	Status  string
	Handoff struct {
		Status   string
		Operator *struct{ ID, Name string }
	}
	Messages []struct{ Role, Text string }
	Notes    []struct{ Text string }
}

func getDialog(t *testing.T, e *servertest.Env, id string) dialogView {
	t.Helper()
	var d dialogView
	r := e.Do("GET", "/v1/dialogs/"+id, e.A.Bearer(), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("reading the dialog: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &d)
	return d
}

// userID is project A's user's id, as the session tells it.
func userID(t *testing.T, e *servertest.Env) int64 {
	t.Helper()
	var s struct{ User struct{ ID int64 } }
	e.Do("GET", "/v1/session", e.A.Basic(), nil).JSON(t, &s)
	return s.User.ID
}

// waitText waits until the first element sel matches holds text.
func waitText(sel, text string) chromedp.Action[chromedp.Void] {
	expr := fmt.Sprintf(`(document.querySelector(%q)?.textContent ?? '').includes(%q)`, sel, text)
	wait := chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingTimeout(10*time.Second))
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		v, err := wait(ctx, t)
		if err != nil {
			// Say what the page shows instead, with a fresh context: ctx may be what timed out.
			got, _ := chromedp.Evaluate[string](`document.body.innerText`)(context.WithoutCancel(ctx), t)
			err = fmt.Errorf("waiting for %q in %s: %w; the page shows:\n%s", text, sel, err, got)
		}
		return v, err
	}
}
