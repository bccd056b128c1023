package native_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
)

// bulkView is the contract's BulkAction.
type bulkView struct {
	ID, Action, Status    string
	Matched, Done, Failed int
	Failures              []struct{ Dialog, Reason string }
}

// runBulk starts a bulk action and waits for it to finish.
func runBulk(t *testing.T, e *servertest.Env, body map[string]any) bulkView {
	t.Helper()
	var b bulkView
	r := e.Do("POST", "/v1/dialogs/bulk", e.A.Bearer(), body)
	if r.Status != http.StatusAccepted {
		t.Fatalf("POST /v1/dialogs/bulk %v: %d %s", body, r.Status, r.Body)
	}
	r.JSON(t, &b)
	deadline := time.Now().Add(30 * time.Second)
	for b.Status != "finished" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		e.Do("GET", "/v1/bulk/"+b.ID, e.A.Bearer(), nil).JSON(t, &b)
	}
	if b.Status != "finished" {
		t.Fatalf("bulk %v did not finish: %+v", body, b)
	}
	return b
}

// transcriptOf is a dialog's messages as "role: text" lines.
func transcriptOf(t *testing.T, e *servertest.Env, id string) []string {
	t.Helper()
	var view struct{ Messages []message }
	e.Do("GET", "/v1/dialogs/"+id, e.A.Bearer(), nil).JSON(t, &view)
	var out []string
	for _, m := range view.Messages {
		out = append(out, m.Role+": "+m.Text)
	}
	return out
}

func TestBulkActions(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	asking := []string{startDesk(t, e), startDesk(t, e), startDesk(t, e)}
	waiting := waitingIn(t, e, "billing", 2)

	// Every dialog waiting at ask goes to the end node.
	b := runBulk(t, e, map[string]any{"filter": map[string]any{"waiting": "ask", "handoff_status": "none"}, "action": "goto", "node": "done"})
	if b.Action != "goto" || b.Matched != 3 || b.Done != 3 || b.Failed != 0 {
		t.Errorf("goto = %+v, want 3 matched and done", b)
	}
	for _, id := range asking {
		if got := transcriptOf(t, e, id); got[len(got)-1] != "assistant: Refunded 0 for ." {
			t.Errorf("after goto done, %s said %q", id, got)
		}
	}

	// An operator writes to everyone waiting in billing, once each.
	b = runBulk(t, e, map[string]any{"filter": map[string]any{"queue": "billing"}, "action": "message", "text": "We are on it.", "operator": "Kate"})
	if b.Matched != 2 || b.Done != 2 {
		t.Errorf("message = %+v", b)
	}
	for _, id := range waiting {
		got := transcriptOf(t, e, id)
		if n := len(slices.DeleteFunc(slices.Clone(got), func(s string) bool { return s != "operator: We are on it." })); n != 1 {
			t.Errorf("%s got the message %d times: %q", id, n, got)
		}
	}

	// Released with a variable, each is back with the bot at the question
	// it was handed off from.
	b = runBulk(t, e, map[string]any{"filter": map[string]any{"handoff_status": "active"}, "action": "release", "variables": map[string]any{"refund": 5}})
	if b.Matched != 2 || b.Done != 2 {
		t.Errorf("release = %+v", b)
	}
	for _, id := range waiting {
		var view struct {
			Mode      string
			Handoff   handoffView
			Variables map[string]any
		}
		e.Do("GET", "/v1/dialogs/"+id, e.A.Bearer(), nil).JSON(t, &view)
		if view.Handoff.Status != "released" || view.Mode != "auto" || view.Variables["refund"] != 5.0 {
			t.Errorf("after release, %s = %+v", id, view)
		}
	}

	// The two dialogs back with the bot stop; the three that ended do not
	// fit, each failure saying why.
	b = runBulk(t, e, map[string]any{"filter": map[string]any{"bot": "desk"}, "action": "stop"})
	if b.Matched != 5 || b.Done != 2 || b.Failed != 3 || len(b.Failures) != 3 || !strings.Contains(b.Failures[0].Reason, "ended") {
		t.Errorf("stop = %+v", b)
	}
	for _, f := range b.Failures {
		if !slices.Contains(asking, f.Dialog) {
			t.Errorf("failed on %s, which had not ended", f.Dialog)
		}
	}

	for _, body := range []map[string]any{
		{"action": "explode", "filter": map[string]any{}},
		{"action": "stop"},
		{"action": "goto", "filter": map[string]any{}},
		{"action": "goto", "node": "a", "bot": "b", "filter": map[string]any{}},
		{"action": "message", "text": " ", "filter": map[string]any{}},
		{"action": "stop", "filter": map[string]any{"status": "open"}},
		{"action": "stop", "filter": map[string]any{"waiting_longer_than": "a while"}},
		{"action": "stop", "filter": map[string]any{"colour": "red"}},
	} {
		if r := e.Do("POST", "/v1/dialogs/bulk", e.A.Bearer(), body); r.Status != http.StatusBadRequest {
			t.Errorf("bulk %v: %d %s, want 400", body, r.Status, r.Body)
		}
	}
	if r := e.Do("GET", "/v1/bulk/"+b.ID, e.B.Bearer(), nil); r.Status != http.StatusNotFound {
		t.Errorf("another project's bulk action: %d, want 404", r.Status)
	}
	if r := e.Do("GET", "/v1/bulk/nope", e.A.Bearer(), nil); r.Status != http.StatusNotFound {
		t.Errorf("an unknown bulk action: %d, want 404", r.Status)
	}
}
