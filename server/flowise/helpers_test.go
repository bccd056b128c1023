package flowise_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/server/flowise"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/replyx"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
)

// message is a chat message as a test reads it.
type message struct {
	ID              string
	Role            string
	ChatflowID      string `json:"chatflowid"`
	Content         string
	ChatType        string
	ChatID          string
	SessionID       string
	CreatedDate     string
	LeadEmail       *string
	SourceDocuments []map[string]any
	FileUploads     []map[string]any
	AgentReasoning  []map[string]any
}

// seeded is a project's greeter bot with an API chat (external id s1,
// John, who gave his email), a test chat from the editor (Kate) and a
// chat of another bot; each greeter chat has 4 messages: "Your name?",
// the name, "Hello, <name>!", "Anything else?".
type seeded struct {
	e             *servertest.Env
	bot, otherBot *store.Bot
	api, test     *store.Dialog
}

func seed(t *testing.T) seeded {
	t.Helper()
	e := servertest.New(t, native.Dialect, replyx.Dialect, flowise.Dialect)
	ctx := t.Context()
	s := seeded{e: e}
	out, err := e.Dialogs.Publish(ctx, e.A.ID, "greeter", servertest.GreeterBot, "test")
	if err != nil {
		t.Fatal(err)
	}
	s.bot = out.Bot
	other, err := e.Dialogs.Publish(ctx, e.A.ID, "docs", servertest.DocsBot, "test")
	if err != nil {
		t.Fatal(err)
	}
	s.otherBot = other.Bot
	s.api = s.talk(t, "greeter", dialogs.CreateInput{Source: "api", ExternalID: "s1", User: map[string]any{"email": "john@example.com"}}, "John")
	s.test = s.talk(t, "greeter", dialogs.CreateInput{Source: dialogs.SourceTest}, "Kate")
	s.talk(t, "docs", dialogs.CreateInput{Source: "api"}, "")
	return s
}

// talk starts a dialog of bot and says text in it (nothing when empty).
func (s seeded) talk(t *testing.T, bot string, in dialogs.CreateInput, text string) *store.Dialog {
	t.Helper()
	in.Start = true
	d, _, err := s.e.Dialogs.Create(t.Context(), s.e.A.ID, bot, in)
	if err != nil {
		t.Fatal(err)
	}
	if text != "" {
		if _, err := s.e.Dialogs.SendMessage(t.Context(), d, dialogs.Message{Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// list GETs the bot's chat messages with query, wanting 200.
func (s seeded) list(t *testing.T, query string) []message {
	t.Helper()
	r := s.e.Do("GET", "/api/v1/chatmessage/"+s.bot.UUID+"?"+query, s.e.A.Bearer(), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET ?%s: %d %s", query, r.Status, r.Body)
	}
	var out []message
	r.JSON(t, &out)
	return out
}

// contents are the messages' texts, in order.
func contents(msgs []message) string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Content)
	}
	return strings.Join(out, " | ")
}

// flowiseError checks that r is Flowise's error with the status.
func flowiseError(t *testing.T, r *servertest.Response, status int) {
	t.Helper()
	var body struct {
		StatusCode int
		Success    *bool
		Message    string
		Stack      map[string]any
	}
	r.JSON(t, &body)
	if r.Status != status || body.StatusCode != status || body.Success == nil || *body.Success || body.Message == "" || body.Stack == nil {
		t.Errorf("want a Flowise %d, got %d %s", status, r.Status, r.Body)
	}
}

// q encodes query parameters.
func q(kv ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v.Encode()
}
