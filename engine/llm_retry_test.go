package engine_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/events"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
)

// retryTurn is what a message to the chat bot answers.
type retryTurn struct {
	Messages []struct{ Role, Text string }
	Status   string
}

// chatOnce publishes chatBot on a server whose model is the provider as
// parley builds it (no options), starts a dialog and says hello.
func chatOnce(t *testing.T, model *llmtest.Server, before func(*servertest.Env, string)) retryTurn {
	t.Helper()
	e := servertest.NewWith(t, servertest.Options{LLM: llm.NewOpenAI(model.URL(), "")}, native.Dialect)
	if r := e.Do("PUT", "/v1/bots/chat/flow", e.A.Bearer(), chatBot); r.Status != http.StatusOK {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	var created struct{ ID string }
	e.Do("POST", "/v1/bots/chat/dialogs", e.A.Bearer(), nil).JSON(t, &created)
	if before != nil {
		before(e, created.ID)
	}
	var turn retryTurn
	r := e.Do("POST", "/v1/dialogs/"+created.ID+"/messages", e.A.Bearer(), map[string]any{"text": "hello"})
	if r.Status != http.StatusOK {
		t.Fatalf("message: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &turn)
	return turn
}

// TestLLMClientErrorNotRetried: a 400 is the provider refusing the request
// itself; sending it again gets the same answer, so it is sent once and the
// dialog stops saying what the provider said.
func TestLLMClientErrorNotRetried(t *testing.T) {
	model := llmtest.New(t)
	model.Fail(http.StatusBadRequest, "Invalid value for 'temperature': must be at most 2.")
	model.Reply("never sent")
	turn := chatOnce(t, model, nil)
	if n := len(model.Requests()); n != 1 {
		t.Errorf("the model got %d requests, want 1", n)
	}
	if turn.Status != store.StatusError || len(turn.Messages) != 1 ||
		!strings.Contains(turn.Messages[0].Text, "400 Bad Request: Invalid value for 'temperature': must be at most 2.") {
		t.Errorf("turn: %+v", turn)
	}
}

// TestLLMServerErrorRetriedByTheActivityOnly: a 5xx is retried, by the
// activity's retry policy alone: the model gets as many requests as the
// policy makes attempts, not attempts times the client's own retries.
func TestLLMServerErrorRetriedByTheActivityOnly(t *testing.T) {
	model := llmtest.New(t)
	for range 20 {
		model.Fail(http.StatusInternalServerError, "The server had an error while processing your request.")
	}
	turn := chatOnce(t, model, nil)
	if n := len(model.Requests()); n != llmAttempts {
		t.Errorf("the model got %d requests, want %d (the activity's attempts)", n, llmAttempts)
	}
	if turn.Status != store.StatusError || len(turn.Messages) != 1 ||
		!strings.Contains(turn.Messages[0].Text, "500 Internal Server Error: The server had an error") {
		t.Errorf("turn: %+v", turn)
	}
}

// llmAttempts is how many attempts callModel's retry policy makes.
const llmAttempts = 3

// TestLLMRetryAfterHonoured: a 429 with Retry-After is retried, no sooner
// than the provider asked (2s, longer than the policy's first backoff).
func TestLLMRetryAfterHonoured(t *testing.T) {
	model := llmtest.New(t)
	model.FailWithRetryAfter(http.StatusTooManyRequests, 2)
	model.Reply("Hello again.")
	turn := chatOnce(t, model, nil)
	if len(turn.Messages) != 1 || turn.Messages[0].Text != "Hello again." {
		t.Fatalf("turn: %+v", turn)
	}
	reqs := model.Requests()
	if len(reqs) != 2 {
		t.Fatalf("the model got %d requests, want 2", len(reqs))
	}
	if gap := reqs[1].Time.Sub(reqs[0].Time); gap < 2*time.Second {
		t.Errorf("retried after %v, want at least the 2s Retry-After", gap)
	}
}

// TestLLMCutStreamStartsOver: a stream that breaks after text reached
// streaming clients is asked again in a new attempt, and the deltas say
// which attempt they belong to, so clients start the text over.
func TestLLMCutStreamStartsOver(t *testing.T) {
	model := llmtest.New(t)
	model.ReplyCut("Hello th")
	model.Reply("Hello there.")
	var evs <-chan events.Event
	turn := chatOnce(t, model, func(e *servertest.Env, _ string) {
		evs, _ = e.Bus.Subscribe(t.Context(), e.A.ID, 0)
	})
	if len(turn.Messages) != 1 || turn.Messages[0].Text != "Hello there." {
		t.Fatalf("turn: %+v", turn)
	}
	if n := len(model.Requests()); n != 2 {
		t.Errorf("the model got %d requests, want 2", n)
	}
	text := map[int]string{} // attempt → text streamed
	for len(text) < 2 || text[2] != "Hello there." {
		select {
		case ev := <-evs:
			if ev.Type == events.TypeTextDelta {
				text[ev.Attempt] += ev.Delta
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("streamed %v, want attempt 1 cut and attempt 2 whole", text)
		}
	}
	if text[1] != "Hello th" {
		t.Errorf("attempt 1 streamed %q", text[1])
	}
}

// TestLLMSlowFirstTokenNotRetried: a model that thinks longer than the
// call's heartbeat timeout (30s) before its first token is waited for, not
// asked again while it still runs.
func TestLLMSlowFirstTokenNotRetried(t *testing.T) {
	if testing.Short() {
		t.Skip("waits past the 30s heartbeat timeout")
	}
	model := llmtest.New(t)
	model.Delay(32 * time.Second)
	model.Reply("Slow but sure.")
	model.Reply("Asked again.")
	turn := chatOnce(t, model, nil)
	if len(turn.Messages) != 1 || turn.Messages[0].Text != "Slow but sure." {
		t.Errorf("turn: %+v", turn)
	}
	if n := len(model.Requests()); n != 1 {
		t.Errorf("the model got %d requests, want 1", n)
	}
}
