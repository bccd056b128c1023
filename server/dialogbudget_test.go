package server_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/server/servertest"
)

// TestDialogBudget: the dialogs one key creates are counted in one
// budget across dialects (native, a native test of a draft, Bot.one,
// Worken's new threads); over it each refuses in its own shape with 429
// and Retry-After, while talking in a thread that exists goes on, and
// another key has its own budget. A widget's visitors count by address.
func TestDialogBudget(t *testing.T) {
	const budget = 4
	e := newLimitsEnv(t, servertest.Options{RouteLimits: map[string]server.RouteLimit{"dialogs": {N: budget, Period: time.Hour}}})
	var chats []struct {
		ID string `json:"id"`
	}
	e.Do("GET", "/chats", e.A.Bearer(), nil).JSON(t, &chats)
	thread := func(p servertest.Project, id string) *servertest.Response {
		return e.Do("POST", "/chats/"+chats[0].ID+"/threads/"+id+"/stream", p.Bearer(),
			map[string]any{"messages": []any{map[string]any{"role": "user", "content": "Ada"}}})
	}
	if r := e.Do("PUT", "/v1/bots/greeter/draft", e.A.Bearer(), servertest.GreeterBot); r.Status != http.StatusOK {
		t.Fatalf("saving a draft: %d %s", r.Status, r.Body)
	}
	bot, err := e.Store.Bot(t.Context(), e.A.ID, "greeter")
	if err != nil {
		t.Fatal(err)
	}
	botone := "/dialog/" + strconv.FormatInt(bot.ID, 10) + "/create"
	created := []struct {
		what string
		r    *servertest.Response
		want int
	}{
		{"native", e.Do("POST", "/v1/bots/greeter/dialogs", e.A.Bearer(), map[string]any{}), http.StatusCreated},
		{"native draft test", e.Do("POST", "/v1/bots/greeter/draft/dialogs", e.A.Bearer(), map[string]any{}), http.StatusCreated},
		{"Bot.one", e.Do("GET", "/api/v1"+botone, e.A.Bearer(), nil), http.StatusOK},
		{"Worken's new thread", thread(e.A, "t-1"), http.StatusOK},
	}
	for _, c := range created {
		if c.r.Status != c.want {
			t.Fatalf("%s within the budget: %d %s", c.what, c.r.Status, c.r.Body)
		}
	}
	over := []struct {
		what, code string
		r          *servertest.Response
	}{
		{"native", "RATE_LIMITED", e.Do("POST", "/v1/bots/greeter/dialogs", e.A.Bearer(), map[string]any{})},
		{"Bot.one", "", e.Do("POST", "/api/v2"+botone, e.A.Bearer(), map[string]any{})},
		{"Worken", "rate_limit_exceeded", thread(e.A, "t-2")},
	}
	for _, o := range over {
		wantSpent(t, o.what, o.r, o.code, budget)
	}
	if r := thread(e.A, "t-1"); r.Status != http.StatusOK {
		t.Errorf("talking in a thread that exists, over the budget: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", "/v1/bots/greeter/dialogs", e.B.Bearer(), map[string]any{}); r.Status != http.StatusNotFound {
		t.Errorf("another project's key (which has no such bot): %d %s, want its own 404, not this key's 429", r.Status, r.Body)
	}

	t.Run("widget visitors by address", func(t *testing.T) {
		for range budget {
			if id, _, r := e.startVisitor(t); id == "" {
				t.Fatalf("a widget dialog within the budget: %d %s", r.Status, r.Body)
			}
		}
		_, _, r := e.startVisitor(t)
		wantSpent(t, "widget", r, "RATE_LIMITED", budget)
		if got := r.Header.Get("Access-Control-Allow-Origin"); got != limitsSite {
			t.Errorf("the widget's refusal allows origin %q, want %q: the page must read it", got, limitsSite)
		}
	})
}

// wantSpent fails unless r is the dialogs budget's 429 with Retry-After,
// in a shape whose code is code ("" for Bot.one's, which has none).
func wantSpent(t *testing.T, what string, r *servertest.Response, code string, budget int) {
	t.Helper()
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatalf("%s: %d %s is not JSON", what, r.Status, r.Body)
	}
	ref := refusal{status: r.Status, body: body, header: r.Header}
	says := "create at most 4 every 1h0m0s"
	if r.Status != http.StatusTooManyRequests || ref.code() != code || !strings.Contains(ref.message(), says) || r.Header.Get("Retry-After") == "" {
		t.Errorf("%s over the budget of %d: %d %s (Retry-After %q), want 429 %q saying %q", what, budget, r.Status, r.Body,
			r.Header.Get("Retry-After"), code, says)
	}
}
