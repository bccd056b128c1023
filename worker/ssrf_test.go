package worker_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/netguard"
	"github.com/parleyhq/parley/netguard/ssrftest"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/worker"
)

// tokenStore keeps block tokens, all a refused block call may touch.
type tokenStore struct {
	store.Store
	saved int
}

func (s *tokenStore) SaveBlockToken(_ context.Context, _ string, t store.BlockToken) (*store.BlockToken, error) {
	s.saved++
	return &t, nil
}

// refusedFinal reports whether err is a call the dialog must not retry
// (ErrBlockRejected) whose message, what the dialog or the model reads,
// says why: the refusal's reason, or the redirect that was not followed.
func refusedFinal(t *testing.T, h netguard.HostileURL, err error) bool {
	t.Helper()
	var app *temporal.ApplicationError
	if err == nil || !errors.As(err, &app) || app.Type() != engine.ErrBlockRejected || !app.NonRetryable() {
		t.Errorf("%s (%s): %v, want a final ErrBlockRejected", h.URL, h.What, err)
		return false
	}
	msg := engine.RootMessage(err)
	want := "the call to " + h.URL + " is refused: "
	if h.Redirect {
		want = "which Parley does not follow"
	}
	if !strings.Contains(msg, want) {
		t.Errorf("%s (%s): the message %q does not say %q", h.URL, h.What, msg, want)
		return false
	}
	return true
}

// TestSSRFBlock gives a block (wait: false, as in a dialog) every URL of the
// set: each call is refused, final, and says why; nothing reaches the
// loopback listener; a redirect is answered once and not followed.
func TestSSRFBlock(t *testing.T) {
	e := ssrftest.Start(t)
	st := &tokenStore{}
	a := &worker.Activities{Store: st, Policy: e.Policy}
	refused, redirects := 0, 0
	for _, h := range e.URLs {
		start := time.Now()
		_, err := a.CallBlock(t.Context(), engine.BlockCall{ProjectID: 1, DialogID: 1, Bot: "b", Node: "lookup", Attempt: 1,
			URL: h.URL, Timeout: 3 * time.Second, ExpiresAt: time.Now().Add(time.Minute)})
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s (%s): took %v", h.URL, h.What, d)
		}
		if refusedFinal(t, h, err) {
			refused++
		}
		if h.Redirect {
			redirects++
		}
	}
	if got := e.Redirects(); got != int64(redirects) {
		t.Errorf("the redirecting server answered %d calls, want %d: one per redirect URL", got, redirects)
	}
	e.Report(t, "block url", refused, len(e.URLs))
}

// TestSSRFURLTool gives a url tool every URL of the set: the tool call
// fails finally with the reason, which the model reads.
func TestSSRFURLTool(t *testing.T) {
	e := ssrftest.Start(t)
	a := &worker.Activities{Store: &tokenStore{}, Policy: e.Policy}
	refused := 0
	for _, h := range e.URLs {
		r, err := a.CallTool(t.Context(), engine.ToolCallInput{ProjectID: 1, DialogID: 1, Node: "ask", Tool: "order_status",
			Arguments: `{"order_id": "42"}`, URL: h.URL})
		if r != nil {
			t.Errorf("%s (%s): the tool answered %q", h.URL, h.What, r.Content)
		}
		if refusedFinal(t, h, err) {
			refused++
		}
	}
	e.Report(t, "url tool", refused, len(e.URLs))
}

// TestSSRFBlockTool is a tool whose block (wait: false) has each URL.
func TestSSRFBlockTool(t *testing.T) {
	e := ssrftest.Start(t)
	a := &worker.Activities{Store: &tokenStore{}, Policy: e.Policy}
	refused := 0
	for _, h := range e.URLs {
		_, err := a.CallTool(t.Context(), engine.ToolCallInput{ProjectID: 1, DialogID: 1, Node: "ask", Tool: "lookup",
			Arguments: `{}`, Block: &engine.BlockCall{ProjectID: 1, DialogID: 1, Node: "lookup", Attempt: 1, URL: h.URL,
				Timeout: 3 * time.Second, ExpiresAt: time.Now().Add(time.Minute)}})
		if refusedFinal(t, h, err) {
			refused++
		}
	}
	e.Report(t, "block tool", refused, len(e.URLs))
}
