package worken_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/server/worken"
)

type chat struct {
	ID            string
	Name          string
	BotID         string  `json:"bot_id"`
	IntegrationID *string `json:"integration_id"`
	Status        string
	ProjectID     string `json:"project_id"`
	Events24h     int    `json:"events_24h"`
}

type thread struct {
	ID            string
	ChatID        string `json:"chat_id"`
	BotID         string `json:"bot_id"`
	Mode          string
	Title         *string
	LastMessageAt *string `json:"last_message_at"`
	PendingCount  int     `json:"pending_count"`
	CreatedAt     string  `json:"created_at"`
	Person        *struct {
		ID         string
		Name       *string
		ExternalID *string `json:"external_id"`
	}
	Stats struct {
		MessagesTotal int `json:"messages_total"`
		UserMessages  int `json:"user_messages"`
		BotMessages   int `json:"bot_messages"`
	}
}

type message struct {
	ID, Role, Content string
	CreatedAt         string `json:"created_at"`
}

// chunks are the JSON objects of an event stream's data lines, and
// whether it ended with data: [DONE].
func chunks(t *testing.T, r *servertest.Response) ([]map[string]any, bool) {
	t.Helper()
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("stream: %d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	var out []map[string]any
	done := false
	for line := range strings.SplitSeq(string(r.Body), "\n") {
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			continue
		}
		if data == "[DONE]" {
			done = true
			continue
		}
		if done {
			t.Errorf("%s after [DONE]", data)
		}
		var c map[string]any
		if err := json.Unmarshal([]byte(data), &c); err != nil {
			t.Fatalf("data line %q: %v", data, err)
		}
		out = append(out, c)
	}
	return out, done
}

// types are the chunks' types.
func types(cs []map[string]any) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c["type"].(string))
	}
	return out
}

// uiText checks an AI SDK UI message stream's order (text-start before
// its deltas, text-end after them) and returns its texts, one per part.
func uiText(t *testing.T, cs []map[string]any) []string {
	t.Helper()
	open := map[string]int{}
	var texts []string
	for _, c := range cs {
		id, _ := c["id"].(string)
		switch c["type"] {
		case "text-start":
			open[id] = len(texts)
			texts = append(texts, "")
		case "text-delta":
			i, ok := open[id]
			if !ok {
				t.Fatalf("text-delta of %q before its text-start: %v", id, cs)
			}
			texts[i] += c["delta"].(string)
		case "text-end":
			if _, ok := open[id]; !ok {
				t.Fatalf("text-end of %q not open: %v", id, cs)
			}
			delete(open, id)
		}
	}
	if len(open) > 0 {
		t.Errorf("text parts never ended: %v", open)
	}
	return texts
}

func aiSDKBody(text string) map[string]any {
	return map[string]any{"id": "chat-1", "trigger": "submit-message", "messages": []any{
		map[string]any{"id": "m0", "role": "assistant", "parts": []any{map[string]any{"type": "text", "text": "earlier"}}},
		map[string]any{"id": "m1", "role": "user", "parts": []any{map[string]any{"type": "text", "text": text}}},
	}}
}

func docBody(text string) map[string]any {
	return map[string]any{"messages": []any{map[string]any{"role": "user", "content": text}}}
}

// apiChat is the chat of a bot among project p's chats.
func apiChat(t *testing.T, e *servertest.Env, p servertest.Project, botID string) chat {
	t.Helper()
	var chats []chat
	ok(t, e.Do("GET", "/chats", p.Bearer(), nil), &chats)
	for _, c := range chats {
		if c.BotID == botID && c.IntegrationID == nil {
			return c
		}
	}
	t.Fatalf("no API chat of bot %s in %+v", botID, chats)
	return chat{}
}

// TestWorkenLLMThreads drives a Worken bot through its API chat: both
// stream formats, the thread views, modes, an operator's message,
// listing and deletion, and another project's view of it all.
func TestWorkenLLMThreads(t *testing.T) {
	model := llmtest.New(t)
	e := servertest.NewWith(t, servertest.Options{LLM: llm.NewOpenAI(model.URL(), "")}, worken.Dialect)
	b := createBot(t, e, e.A, "Support")
	c := apiChat(t, e, e.A, b.ID)
	if c.Status != "active" || c.Name != "Support" || c.Events24h != 0 {
		t.Errorf("the bot's API chat: %+v", c)
	}
	base := "/chats/" + c.ID + "/threads/"

	const policy = "Our refund policy is thirty days, no questions asked."
	model.Reply(policy)
	cs, done := chunks(t, e.Do("POST", base+"my-thread-1/stream", e.A.Bearer(), docBody("What is your refund policy?")))
	var text strings.Builder
	for _, ch := range cs {
		if ch["type"] == "text-delta" {
			text.WriteString(ch["textDelta"].(string))
		}
	}
	last := cs[len(cs)-1]
	if text.String() != policy || last["type"] != "finish" || last["finishReason"] != "stop" || done {
		t.Errorf("Worken's stream: %v (done %v), text %q", cs, done, text.String())
	}

	var th thread
	ok(t, e.Do("GET", "/threads/my-thread-1", e.A.Bearer(), nil), &th)
	if _, err := uuid.Parse(th.ID); err != nil || th.ChatID != c.ID || th.BotID != b.ID || th.Mode != "auto" ||
		th.Stats.MessagesTotal != 2 || th.Stats.UserMessages != 1 || th.Stats.BotMessages != 1 || th.LastMessageAt == nil {
		t.Errorf("thread %+v", th)
	}
	var byUUID thread
	ok(t, e.Do("GET", "/threads/"+th.ID, e.A.Bearer(), nil), &byUUID)
	if byUUID.ID != th.ID {
		t.Errorf("by UUID: %+v", byUUID)
	}
	var msgs []message
	ok(t, e.Do("GET", base+"my-thread-1/messages", e.A.Bearer(), nil), &msgs)
	if len(msgs) != 2 || msgs[0].Role != "user" || msgs[0].Content != "What is your refund policy?" || msgs[1].Role != "assistant" || msgs[1].Content != policy {
		t.Errorf("messages %+v", msgs)
	}

	t.Run("AI SDK stream", func(t *testing.T) {
		model.Reply("Hi there, friend.")
		id := uuid.NewString() // a UUID the client picked is the thread's
		r := e.Do("POST", base+id+"/stream", e.A.Bearer(), aiSDKBody("hello"))
		if r.Header.Get("x-vercel-ai-ui-message-stream") != "v1" {
			t.Errorf("header x-vercel-ai-ui-message-stream %q", r.Header.Get("x-vercel-ai-ui-message-stream"))
		}
		cs, done := chunks(t, r)
		got := types(cs)
		if got[0] != "start" || got[len(got)-1] != "finish" || !done {
			t.Errorf("chunks %v (done %v)", got, done)
		}
		if texts := uiText(t, cs); len(texts) != 1 || texts[0] != "Hi there, friend." {
			t.Errorf("texts %q", texts)
		}
		var th thread
		ok(t, e.Do("GET", "/threads/"+id, e.A.Bearer(), nil), &th)
		if th.ID != id {
			t.Errorf("thread id %s, want the client's %s", th.ID, id)
		}
		if reqs := model.Requests(); !strings.Contains(reqs[len(reqs)-1].Messages[len(reqs[len(reqs)-1].Messages)-1].Content, "hello") {
			t.Errorf("the model was not sent the last user message: %+v", reqs[len(reqs)-1].Messages)
		}
	})

	t.Run("manual mode and an operator", func(t *testing.T) {
		var moded thread
		ok(t, e.Do("POST", base+"my-thread-1/mode", e.A.Bearer(), map[string]any{"mode": "manual"}), &moded)
		if moded.Mode != "manual" {
			t.Errorf("mode %q", moded.Mode)
		}
		before := len(model.Requests())
		cs, _ := chunks(t, e.Do("POST", base+"my-thread-1/stream", e.A.Bearer(), aiSDKBody("anyone there?")))
		if got := types(cs); strings.Join(got, " ") != "start finish" {
			t.Errorf("a thread with an operator streams %v, want start and finish only", got)
		}
		if len(model.Requests()) != before {
			t.Error("the model was asked in manual mode")
		}
		var sent message
		ok(t, e.Do("POST", "/threads/my-thread-1/send", e.A.Bearer(), map[string]any{"text": "Kate here, let me check."}), &sent)
		if sent.Role != "assistant" || sent.Content != "Kate here, let me check." || sent.ID == "" {
			t.Errorf("sent %+v", sent)
		}
		ok(t, e.Do("GET", base+"my-thread-1/messages", e.A.Bearer(), nil), &msgs)
		if n := len(msgs); n != 4 || msgs[2].Content != "anyone there?" || msgs[3].Role != "assistant" {
			t.Errorf("messages %+v", msgs)
		}
		wantError(t, e.Do("POST", "/threads/"+th.ID+"x/send", e.A.Bearer(), map[string]any{"text": "x"}), http.StatusNotFound)
		wantError(t, e.Do("POST", base+"my-thread-1/mode", e.A.Bearer(), map[string]any{"mode": "sleepy"}), http.StatusUnprocessableEntity, "mode")
	})

	t.Run("send needs manual mode", func(t *testing.T) {
		var auto thread
		ok(t, e.Do("GET", "/threads?bot_id="+b.ID+"&limit=100", e.A.Bearer(), nil), &struct{ Data []thread }{})
		model.Reply("Sure.")
		chunks(t, e.Do("POST", base+"auto-thread/stream", e.A.Bearer(), docBody("hi")))
		ok(t, e.Do("GET", "/threads/auto-thread", e.A.Bearer(), nil), &auto)
		wantError(t, e.Do("POST", "/threads/auto-thread/send", e.A.Bearer(), map[string]any{"text": "hello"}), http.StatusConflict, "manual")
	})

	t.Run("list", func(t *testing.T) {
		type page struct {
			Data       []thread
			NextCursor *string `json:"next_cursor"`
		}
		var all page
		ok(t, e.Do("GET", "/threads", e.A.Bearer(), nil), &all)
		if len(all.Data) != 3 || all.NextCursor != nil {
			t.Fatalf("threads %+v", all)
		}
		var p1, p2 page
		ok(t, e.Do("GET", "/threads?limit=2", e.A.Bearer(), nil), &p1)
		if len(p1.Data) != 2 || p1.NextCursor == nil {
			t.Fatalf("page 1 %+v", p1)
		}
		ok(t, e.Do("GET", "/threads?limit=2&cursor="+url.QueryEscape(*p1.NextCursor), e.A.Bearer(), nil), &p2)
		if len(p2.Data) != 1 || p2.Data[0].ID != all.Data[2].ID {
			t.Errorf("page 2 %+v, want %s", p2, all.Data[2].ID)
		}
		var off page
		ok(t, e.Do("GET", "/threads?limit=1&offset=1", e.A.Bearer(), nil), &off)
		if len(off.Data) != 1 || off.Data[0].ID != all.Data[1].ID {
			t.Errorf("offset 1: %+v", off)
		}
		var found page
		ok(t, e.Do("GET", "/threads?search=refund", e.A.Bearer(), nil), &found)
		if len(found.Data) != 1 || found.Data[0].ID != th.ID {
			t.Errorf("search refund: %+v", found)
		}
		var inChat []thread
		ok(t, e.Do("GET", "/chats/"+c.ID+"/threads", e.A.Bearer(), nil), &inChat)
		if len(inChat) != 3 {
			t.Errorf("the chat's threads: %+v", inChat)
		}
		ok(t, e.Do("GET", "/threads?chat_id="+c.ID+"&bot_id="+b.ID, e.A.Bearer(), nil), &found)
		if len(found.Data) != 3 {
			t.Errorf("by chat and bot: %+v", found)
		}
		wantError(t, e.Do("GET", "/threads?limit=0", e.A.Bearer(), nil), http.StatusUnprocessableEntity, "limit")
		wantError(t, e.Do("GET", "/threads?cursor=nope", e.A.Bearer(), nil), http.StatusUnprocessableEntity, "cursor")
		wantError(t, e.Do("GET", "/threads?chat_id="+uuid.NewString(), e.A.Bearer(), nil), http.StatusNotFound)
	})

	t.Run("memory", func(t *testing.T) {
		var mem struct{ Content *string }
		ok(t, e.Do("GET", "/threads/my-thread-1/memory", e.A.Bearer(), nil), &mem)
		if mem.Content != nil {
			t.Errorf("memory %q, want null for a bot that keeps none", *mem.Content)
		}
	})

	t.Run("another project", func(t *testing.T) {
		for _, r := range []*servertest.Response{
			e.Do("GET", "/chats/"+c.ID, e.B.Bearer(), nil),
			e.Do("GET", "/chats/"+c.ID+"/threads", e.B.Bearer(), nil),
			e.Do("POST", base+"x/stream", e.B.Bearer(), docBody("hi")),
			e.Do("GET", "/threads/"+th.ID, e.B.Bearer(), nil),
			e.Do("GET", "/threads/my-thread-1", e.B.Bearer(), nil),
			e.Do("POST", "/threads/"+th.ID+"/send", e.B.Bearer(), map[string]any{"text": "x"}),
			e.Do("GET", "/threads/"+th.ID+"/memory", e.B.Bearer(), nil),
			e.Do("POST", base+th.ID+"/delete", e.B.Bearer(), nil),
			e.Do("GET", "/threads?chat_id="+c.ID, e.B.Bearer(), nil),
		} {
			wantError(t, r, http.StatusNotFound)
		}
		var chats []chat
		ok(t, e.Do("GET", "/chats", e.B.Bearer(), nil), &chats)
		var page struct{ Data []thread }
		ok(t, e.Do("GET", "/threads", e.B.Bearer(), nil), &page)
		if len(chats) != 0 || len(page.Data) != 0 {
			t.Errorf("project B sees chats %+v and threads %+v", chats, page.Data)
		}
	})

	t.Run("events in 24 hours", func(t *testing.T) {
		var got chat
		ok(t, e.Do("GET", "/chats/"+c.ID, e.A.Bearer(), nil), &got)
		if got.Events24h < 6 {
			t.Errorf("events_24h %d after three threads' turns", got.Events24h)
		}
	})

	t.Run("delete", func(t *testing.T) {
		var del struct {
			ID      string
			Deleted bool
		}
		d, err := e.Store.Dialog(t.Context(), e.A.ID, th.ID)
		if err != nil {
			t.Fatal(err)
		}
		ok(t, e.Do("POST", base+"my-thread-1/delete", e.A.Bearer(), nil), &del)
		if del.ID != th.ID || !del.Deleted {
			t.Errorf("deleted %+v", del)
		}
		wantError(t, e.Do("GET", "/threads/"+th.ID, e.A.Bearer(), nil), http.StatusNotFound)
		wantError(t, e.Do("GET", base+"my-thread-1/messages", e.A.Bearer(), nil), http.StatusNotFound)
		msgs, err := e.Store.Messages(t.Context(), d.ID)
		if err != nil || len(msgs) != 0 {
			t.Errorf("a deleted thread keeps messages %+v (%v)", msgs, err)
		}
	})

	t.Run("bad bodies", func(t *testing.T) {
		wantError(t, e.Do("POST", base+"t/stream", e.A.Bearer(), map[string]any{"messages": []any{}}), http.StatusUnprocessableEntity, "user")
		wantError(t, e.Do("POST", base+"t/stream", e.A.Bearer(), docBody("  ")), http.StatusUnprocessableEntity, "empty")
		wantError(t, e.Do("POST", base+"t/stream", e.A.Bearer(), "nope"), http.StatusBadRequest)
		wantError(t, e.Do("POST", "/chats/"+uuid.NewString()+"/threads/t/stream", e.A.Bearer(), docBody("hi")), http.StatusNotFound)
	})
}
