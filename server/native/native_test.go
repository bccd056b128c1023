package native_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
)

const shopV1 = `bot: shop
variables:
  size: { type: string }
  qty: { type: integer, default: 1 }
nodes:
  ask_size:
    kind: question
    text: Size?
    input: { type: choice, options: [S, M, L] }
    save: size
    next: human
  human:
    kind: handoff
    text: An operator will confirm.
    next: bye
  bye:
    kind: end
    text: "Bye! {{ qty }} x {{ size }}."
`

type message struct {
	ID, Role, Text string
	Buttons        []string
	CreatedAt      string `json:"created_at"`
}

type turn struct {
	ID       string
	Number   int
	Messages []message
	Status   string
	Mode     string
	Waiting  *struct{ Node, Kind string }
}

type apiError struct {
	Error struct {
		Code    string
		Message string
		Details struct {
			Problems []struct {
				Line, Column int
				Code         string
			}
		}
	}
}

func texts(ms []message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Text
	}
	return out
}

func setup(t *testing.T) *servertest.Env {
	e := servertest.New(t, native.Dialect)
	if r := e.Do("PUT", "/v1/bots/shop/flow", e.A.Bearer(), shopV1); r.Status != http.StatusOK {
		t.Fatalf("publishing: %d %s", r.Status, r.Body)
	}
	return e
}

func (tr turn) said() string { return strings.Join(texts(tr.Messages), " | ") }

func TestPublishAndVersions(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	var pub struct {
		BotID   int64 `json:"bot_id"`
		Slug    string
		Version int
	}
	r := e.Do("PUT", "/v1/bots/shop/flow", e.A.Basic(), shopV1)
	r.JSON(t, &pub)
	if r.Status != 200 || pub.Slug != "shop" || pub.Version != 1 || pub.BotID == 0 {
		t.Fatalf("publish = %d %s", r.Status, r.Body)
	}
	e.Do("PUT", "/v1/bots/shop/flow", e.A.Basic(), shopV1).JSON(t, &pub)
	if pub.Version != 1 {
		t.Errorf("republishing the same source made version %d, want 1", pub.Version)
	}
	e.Do("PUT", "/v1/bots/shop/flow", e.A.Basic(), strings.Replace(shopV1, "Size?", "Which size?", 1)).JSON(t, &pub)
	if pub.Version != 2 {
		t.Errorf("a changed source made version %d, want 2", pub.Version)
	}
	if r := e.Do("GET", "/v1/bots/shop/flow", e.A.Bearer(), nil); r.Status != 200 || !strings.Contains(string(r.Body), "Which size?") {
		t.Errorf("GET flow = %d %s", r.Status, r.Body)
	}
	var versions struct{ Versions []struct{ Version int } }
	e.Do("GET", "/v1/bots/shop/versions", e.A.Bearer(), nil).JSON(t, &versions)
	if len(versions.Versions) != 2 || versions.Versions[0].Version != 2 {
		t.Errorf("versions = %+v", versions)
	}
}

func TestPublishRejectsInvalidFlows(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	tests := []struct {
		name, slug, body string
		line, column     int
		code             string
	}{
		{"unknown field", "shop", "bot: shop\nnodes:\n  a:\n    kind: end\n    txt: bye\n", 5, 5, "unknown_field"},
		{"slug differs", "other", "bot: shop\nnodes:\n  a: { kind: end }\n", 1, 1, "invalid_id"},
		{"not YAML", "shop", "bot: [shop\n", 1, 1, "yaml_syntax"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.Do("PUT", "/v1/bots/"+tt.slug+"/flow", e.A.Bearer(), tt.body)
			var body apiError
			r.JSON(t, &body)
			p := body.Error.Details.Problems
			if r.Status != http.StatusUnprocessableEntity || body.Error.Code != "FLOW_INVALID" || len(p) != 1 || p[0].Line != tt.line || p[0].Column != tt.column || p[0].Code != tt.code {
				t.Errorf("got %d %s", r.Status, r.Body)
			}
		})
	}
	if r := e.Do("GET", "/v1/bots/shop/flow", e.A.Bearer(), nil); r.Status != http.StatusNotFound {
		t.Errorf("a rejected flow was stored: GET = %d %s", r.Status, r.Body)
	}
}

func TestDialogFromStartToEnd(t *testing.T) {
	e := setup(t)
	var created turn
	r := e.Do("POST", "/v1/bots/shop/dialogs", e.A.Bearer(), map[string]any{"variables": map[string]any{"qty": 2}})
	r.JSON(t, &created)
	if r.Status != http.StatusCreated || created.Number != 1 || created.said() != "Size?" || created.Waiting == nil || created.Waiting.Node != "ask_size" {
		t.Fatalf("create = %d %s", r.Status, r.Body)
	}
	if b := created.Messages[0].Buttons; len(b) != 3 || created.Messages[0].Role != "assistant" || created.Messages[0].CreatedAt == "" {
		t.Errorf("first message = %+v", created.Messages[0])
	}
	path := "/v1/dialogs/" + created.ID
	var tr turn
	e.Do("POST", path+"/messages", e.A.Bearer(), map[string]any{"text": "XL"}).JSON(t, &tr)
	if tr.said() != "Please pick one of the options." {
		t.Errorf("invalid answer: %s", tr.said())
	}
	e.Do("POST", path+"/messages", e.A.Bearer(), map[string]any{"text": "m"}).JSON(t, &tr)
	if tr.said() != "An operator will confirm." || tr.Mode != "operator" || tr.Status != "operator" {
		t.Errorf("after answering: %+v", tr)
	}
	e.Do("POST", path+"/messages", e.A.Bearer(), map[string]any{"text": "hello?"}).JSON(t, &tr)
	if len(tr.Messages) != 0 {
		t.Errorf("the bot answered in operator mode: %s", tr.said())
	}
	e.Do("POST", path+"/operator", e.A.Bearer(), map[string]any{"action": "message", "operator": "Kate", "text": "Confirmed!"}).JSON(t, &tr)
	if tr.said() != "Confirmed!" || tr.Messages[0].Role != "operator" {
		t.Errorf("operator message: %+v", tr)
	}
	e.Do("POST", path+"/operator", e.A.Bearer(), map[string]any{"action": "release", "operator": "Kate"}).JSON(t, &tr)
	if tr.said() != "Bye! 2 x M." || tr.Status != "completed" {
		t.Errorf("release: %+v", tr)
	}
	r = e.Do("POST", path+"/messages", e.A.Bearer(), map[string]any{"text": "more"})
	if r.Status != http.StatusConflict {
		t.Errorf("message to a completed dialog = %d %s, want 409", r.Status, r.Body)
	}
	var view struct {
		Bot, Status, Mode, Node string
		Version                 int
		Variables               map[string]any
		Data                    []struct{ Question, Type, Answer, Variable string }
		Messages                []message
	}
	e.Do("GET", path, e.A.Basic(), nil).JSON(t, &view)
	roles := make([]string, len(view.Messages))
	for i, m := range view.Messages {
		roles[i] = m.Role
	}
	if view.Bot != "shop" || view.Status != "completed" || view.Variables["size"] != "M" || len(view.Data) != 1 || view.Data[0].Answer != "M" ||
		strings.Join(roles, ",") != "assistant,user,assistant,user,assistant,user,operator,assistant" {
		t.Errorf("GET dialog = %+v", view)
	}
}

func TestCreatedDialogWaitsForStart(t *testing.T) {
	e := setup(t)
	var created turn
	e.Do("POST", "/v1/bots/shop/dialogs", e.A.Bearer(), map[string]any{"start": false}).JSON(t, &created)
	if created.Status != "created" || len(created.Messages) != 0 {
		t.Fatalf("created = %+v", created)
	}
	path := "/v1/dialogs/" + created.ID
	if r := e.Do("POST", path+"/messages", e.A.Bearer(), map[string]any{"text": "S"}); r.Status != http.StatusConflict {
		t.Errorf("message before start = %d %s, want 409", r.Status, r.Body)
	}
	var tr turn
	e.Do("POST", path+"/start", e.A.Bearer(), nil).JSON(t, &tr)
	if tr.said() != "Size?" || tr.Status != "in-process" {
		t.Errorf("start = %+v", tr)
	}
}

func TestMessageRetriesAreIdempotent(t *testing.T) {
	e := setup(t)
	var created, first, again turn
	e.Do("POST", "/v1/bots/shop/dialogs", e.A.Bearer(), nil).JSON(t, &created)
	path := "/v1/dialogs/" + created.ID
	body := map[string]any{"text": "S", "client_message_id": "c-1"}
	e.Do("POST", path+"/messages", e.A.Bearer(), body).JSON(t, &first)
	e.Do("POST", path+"/messages", e.A.Bearer(), body).JSON(t, &again)
	if first.said() != again.said() || first.Messages[0].ID != again.Messages[0].ID {
		t.Errorf("retry gave %+v, first %+v", again, first)
	}
	var view struct{ Messages []message }
	e.Do("GET", path, e.A.Bearer(), nil).JSON(t, &view)
	if got := len(view.Messages); got != 3 {
		t.Errorf("the transcript has %d messages, want 3 (question, answer, handoff text): %v", got, texts(view.Messages))
	}
}

func TestRunningDialogsKeepTheirVersion(t *testing.T) {
	e := setup(t)
	var old, fresh turn
	e.Do("POST", "/v1/bots/shop/dialogs", e.A.Bearer(), nil).JSON(t, &old)
	e.Do("PUT", "/v1/bots/shop/flow", e.A.Bearer(), strings.Replace(shopV1, "An operator will confirm.", "Version two.", 1))
	e.Do("POST", "/v1/bots/shop/dialogs", e.A.Bearer(), nil).JSON(t, &fresh)
	var a, b turn
	e.Do("POST", "/v1/dialogs/"+old.ID+"/messages", e.A.Bearer(), map[string]any{"text": "S"}).JSON(t, &a)
	e.Do("POST", "/v1/dialogs/"+fresh.ID+"/messages", e.A.Bearer(), map[string]any{"text": "S"}).JSON(t, &b)
	if a.said() != "An operator will confirm." || b.said() != "Version two." {
		t.Errorf("old dialog said %q, new dialog said %q", a.said(), b.said())
	}
}

func TestAuthAndIsolation(t *testing.T) {
	e := setup(t)
	var created turn
	e.Do("POST", "/v1/bots/shop/dialogs", e.A.Bearer(), nil).JSON(t, &created)
	tests := []struct {
		name, method, path, auth string
		body                     any
		want                     int
		code                     string
	}{
		{"no credentials", "GET", "/v1/dialogs/" + created.ID, "", nil, 401, "UNAUTHORIZED"},
		{"unknown key", "GET", "/v1/dialogs/" + created.ID, "Bearer sk-nope", nil, 401, "UNAUTHORIZED"},
		{"wrong password", "GET", "/v1/dialogs/" + created.ID, "Basic YUBleGFtcGxlLmNvbTpub3BlCg==", nil, 401, "UNAUTHORIZED"},
		{"other project's dialog", "GET", "/v1/dialogs/" + created.ID, e.B.Bearer(), nil, 404, "NOT_FOUND"},
		{"other project's dialog by number", "POST", fmt.Sprintf("/v1/dialogs/%d/messages", 1), e.B.Bearer(), map[string]any{"text": "S"}, 404, "NOT_FOUND"},
		{"other project's bot", "GET", "/v1/bots/shop/flow", e.B.Bearer(), nil, 404, "NOT_FOUND"},
		{"other project's bot dialogs", "POST", "/v1/bots/shop/dialogs", e.B.Basic(), nil, 404, "NOT_FOUND"},
		{"unknown dialog", "GET", "/v1/dialogs/00000000-0000-0000-0000-000000000000", e.A.Bearer(), nil, 404, "NOT_FOUND"},
		{"bad JSON", "POST", "/v1/dialogs/" + created.ID + "/messages", e.A.Bearer(), []byte("{"), 400, "INVALID"},
		{"missing text", "POST", "/v1/dialogs/" + created.ID + "/messages", e.A.Bearer(), map[string]any{}, 400, "INVALID"},
		{"operator message without text", "POST", "/v1/dialogs/" + created.ID + "/operator", e.A.Bearer(), map[string]any{"action": "message", "text": " "}, 400, "INVALID"},
		{"unknown operator action", "POST", "/v1/dialogs/" + created.ID + "/operator", e.A.Bearer(), map[string]any{"action": "dance"}, 400, "INVALID"},
		{"variable of the wrong type", "POST", "/v1/bots/shop/dialogs", e.A.Bearer(), map[string]any{"variables": map[string]any{"qty": "two"}}, 400, "INVALID"},
		{"unknown route", "GET", "/v1/nothing", e.A.Bearer(), nil, 404, "NOT_FOUND"},
		{"a body over 1 MiB", "POST", "/v1/dialogs/" + created.ID + "/messages", e.A.Bearer(), map[string]any{"text": strings.Repeat("S", 1<<20)}, 413, "TOO_LARGE"},
		{"not an object", "POST", "/v1/dialogs/" + created.ID + "/messages", e.A.Bearer(), []byte(`["S"]`), 400, "INVALID"},
		{"nested 65 deep", "POST", "/v1/dialogs/" + created.ID + "/messages", e.A.Bearer(),
			[]byte(`{"text": "S", "x": ` + strings.Repeat("[", 64) + strings.Repeat("]", 64) + `}`), 400, "INVALID"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.Do(tt.method, tt.path, tt.auth, tt.body)
			var body apiError
			r.JSON(t, &body)
			if r.Status != tt.want || body.Error.Code != tt.code || body.Error.Message == "" {
				t.Errorf("got %d %s, want %d %s", r.Status, r.Body, tt.want, tt.code)
			}
		})
	}
	// Brackets in a string are text, not depth.
	deepText := []byte(`{"text": "` + strings.Repeat("[", 100) + `\"{"}`)
	if r := e.Do("POST", "/v1/dialogs/"+created.ID+"/messages", e.A.Bearer(), deepText); r.Status != http.StatusOK {
		t.Errorf("a text of 100 brackets: %d %s", r.Status, r.Body)
	}
}
