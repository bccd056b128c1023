package worken_test

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/parleyhq/parley/internal/npmtest"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
)

// pizzaBot greets, asks a question with buttons and answers the choice.
const pizzaBot = `bot: pizza
variables:
  size: { type: string }
nodes:
  hello:
    kind: message
    text: Welcome to Pizza!
    next: size
  size:
    kind: question
    text: Which size?
    input: { type: choice, options: [Small, Large] }
    save: size
    next: done
  done:
    kind: end
    text: "A {{ size }} pizza it is."
`

// flowChat publishes a flow bot as project p and returns its API chat.
func flowChat(t *testing.T, e *servertest.Env, p servertest.Project, source string) (chat, *store.Bot) {
	t.Helper()
	out, err := e.Dialogs.Publish(t.Context(), p.ID, strings.Fields(source)[1], source, "test")
	if err != nil {
		t.Fatal(err)
	}
	return apiChat(t, e, p, out.Bot.UUID), out.Bot
}

// TestWorkenFlowBotStreams: a bot without a model streams too: its
// messages whole (the first turn's greeting and question on the thread's
// first message), buttons as a data part, in both formats.
func TestWorkenFlowBotStreams(t *testing.T) {
	e := newEnv(t)
	c, _ := flowChat(t, e, e.A, pizzaBot)
	base := "/chats/" + c.ID + "/threads/"

	cs, done := chunks(t, e.Do("POST", base+"p1/stream", e.A.Bearer(), aiSDKBody("hi")))
	if texts := uiText(t, cs); strings.Join(texts, "|") != "Welcome to Pizza!|Which size?|Please pick one of the options." || !done {
		t.Errorf("the first turn streams %q (done %v): %v", texts, done, cs)
	}
	var buttons []any
	for _, ch := range cs {
		if ch["type"] == "data-buttons" {
			buttons = ch["data"].(map[string]any)["buttons"].([]any)
		}
	}
	if len(buttons) != 2 || buttons[0] != "Small" {
		t.Errorf("buttons %v in %v", buttons, cs)
	}
	cs, _ = chunks(t, e.Do("POST", base+"p1/stream", e.A.Bearer(), docBody("Large")))
	var text strings.Builder
	for _, ch := range cs {
		if ch["type"] == "text-delta" {
			text.WriteString(ch["textDelta"].(string))
		}
	}
	if text.String() != "A Large pizza it is." || types(cs)[len(cs)-1] != "finish" {
		t.Errorf("Worken's events: %v", cs)
	}
	wantError(t, e.Do("POST", base+"p1/stream", e.A.Bearer(), docBody("again")), http.StatusConflict)
}

// TestWorkenThreadEvents: GET /threads/events streams ThreadEvents with
// the event log's seq as ids, and a client that comes back with
// Last-Event-ID gets what it missed; GET /threads/events/:thread_id only
// that thread's.
func TestWorkenThreadEvents(t *testing.T) {
	e := newEnv(t)
	c, _ := flowChat(t, e, e.A, pizzaBot)
	base := "/chats/" + c.ID + "/threads/"
	all, stopAll := e.Stream("/threads/events", e.A.Bearer(), "")
	chunks(t, e.Do("POST", base+"t1/stream", e.A.Bearer(), docBody("hi")))
	var th thread
	ok(t, e.Do("GET", "/threads/t1", e.A.Bearer(), nil), &th)

	type event struct {
		ThreadID     string `json:"thread_id"`
		Type         string
		PendingCount *int `json:"pending_count"`
		Mode         string
	}
	read := func(ch <-chan servertest.SSE, n int) ([]event, []string) {
		t.Helper()
		var evs []event
		var ids []string
		for len(evs) < n {
			ev := servertest.NextEvent(t, ch)
			if ev.Event != "" {
				t.Errorf("event: %q; onmessage only gets events without a name", ev.Event)
			}
			var got event
			if err := json.Unmarshal([]byte(ev.Data), &got); err != nil {
				t.Fatalf("%q: %v", ev.Data, err)
			}
			evs, ids = append(evs, got), append(ids, ev.ID)
		}
		return evs, ids
	}
	// The first turn's welcome and question, then the user's message (the
	// dialog's start changed its status, not its mode: no mode_changed).
	evs, ids := read(all, 3)
	for _, ev := range evs {
		if ev.ThreadID != th.ID || ev.Type != "message_created" {
			t.Errorf("event %+v, want message_created of %s", ev, th.ID)
		}
	}
	stopAll()

	one, stopOne := e.Stream("/threads/events/t1", e.A.Bearer(), ids[0]) // resumes after the first
	e.Do("POST", base+"t1/mode", e.A.Bearer(), map[string]any{"mode": "manual"})
	chunks(t, e.Do("POST", base+"t1/stream", e.A.Bearer(), docBody("Large")))
	got, _ := read(one, 6)
	stopOne()
	var kinds []string
	for _, ev := range got {
		kinds = append(kinds, ev.Type)
	}
	want := "message_created message_created message_created mode_changed message_created pending_count"
	if strings.Join(kinds, " ") != want || got[3].Mode != "manual" || *got[5].PendingCount != 1 {
		t.Errorf("resumed events %s (%+v), want %s", kinds, got, want)
	}
	wantError(t, e.Do("GET", "/threads/events/nope", e.A.Bearer(), nil), http.StatusNotFound)
	wantError(t, e.Do("GET", "/threads/events/t1", e.B.Bearer(), nil), http.StatusNotFound)
}

// TestAISDKReadsTheStream: the ai package (5.x) reads a thread's stream
// with DefaultChatTransport and readUIMessageStream, as useChat does
// (testdata/aisdk/stream.mjs), and gets the bot's text and buttons.
func TestAISDKReadsTheStream(t *testing.T) {
	dir, node := npmtest.Project(t, "testdata/aisdk", "the AI SDK stream test")
	e := newEnv(t)
	c, _ := flowChat(t, e, e.A, pizzaBot)
	script := exec.CommandContext(t.Context(), node, "stream.mjs")
	script.Dir = dir
	script.Env = append(os.Environ(), "PARLEY_URL="+e.URL, "PARLEY_AUTH="+e.A.Bearer(), "CHAT="+c.ID, "THREAD=ai-sdk-thread")
	out, err := script.Output()
	if err != nil {
		t.Fatalf("stream.mjs: %v\n%s", err, out)
	}
	var got struct {
		Role  string
		Parts []struct {
			Type, Text string
			Data       struct{ Buttons []string }
		}
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("stream.mjs printed %s: %v", out, err)
	}
	var texts, buttons []string
	for _, p := range got.Parts {
		switch p.Type {
		case "text":
			texts = append(texts, p.Text)
		case "data-buttons":
			buttons = p.Data.Buttons
		}
	}
	if got.Role != "assistant" || strings.Join(texts, "|") != "Welcome to Pizza!|Which size?|Please pick one of the options." || strings.Join(buttons, ",") != "Small,Large" {
		t.Errorf("the AI SDK read %s", out)
	}
}

// TestDeletedBotInterruptsItsThreads: deleting a bot ends its running
// dialogs as interrupted (their messages kept) and takes its chat out of
// the list; a disabled bot takes no new thread.
func TestDeletedBotInterruptsItsThreads(t *testing.T) {
	e := newEnv(t)
	c, b := flowChat(t, e, e.A, pizzaBot)
	base := "/chats/" + c.ID + "/threads/"
	chunks(t, e.Do("POST", base+"p1/stream", e.A.Bearer(), docBody("hi")))
	var th thread
	ok(t, e.Do("GET", "/threads/p1", e.A.Bearer(), nil), &th)
	p3 := uuid.NewString()
	chunks(t, e.Do("POST", base+p3+"/stream", e.A.Bearer(), docBody("hi"))) // another, to be interrupted

	ok(t, e.Do("POST", "/bots/"+b.UUID+"/status", e.A.Bearer(), map[string]any{"status": "disabled"}), &map[string]any{})
	wantError(t, e.Do("POST", base+"p2/stream", e.A.Bearer(), docBody("hi")), http.StatusConflict, "disabled")
	// A running thread of a disabled bot keeps what the user says and
	// answers nothing until the bot is active again.
	cs, _ := chunks(t, e.Do("POST", base+"p1/stream", e.A.Bearer(), docBody("Small")))
	if got := strings.Join(types(cs), " "); got != "finish" {
		t.Errorf("a disabled bot streams %s, want the finish alone", got)
	}
	ok(t, e.Do("POST", "/bots/"+b.UUID+"/status", e.A.Bearer(), map[string]any{"status": "active"}), &map[string]any{})
	cs, _ = chunks(t, e.Do("POST", base+"p1/stream", e.A.Bearer(), docBody("Large")))
	if texts := strings.Join(docTexts(cs), "|"); texts != "A Large pizza it is." {
		t.Errorf("active again, the bot says %q", texts)
	}
	ok(t, e.Do("POST", "/bots/"+b.UUID+"/delete", e.A.Bearer(), nil), &map[string]any{})
	deadline := time.Now().Add(20 * time.Second)
	for {
		d, err := e.Store.Dialog(t.Context(), e.A.ID, p3)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status == store.StatusInterrupted {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the deleted bot's dialog is still %s", d.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
	ok(t, e.Do("GET", "/threads/p1", e.A.Bearer(), nil), &th)
	if th.Stats.MessagesTotal != 7 || th.Stats.UserMessages != 3 {
		t.Errorf("the interrupted thread keeps %+v, want 7 messages, 3 the user's", th.Stats)
	}
	var chats []chat
	ok(t, e.Do("GET", "/chats", e.A.Bearer(), nil), &chats)
	if len(chats) != 0 {
		t.Errorf("a deleted bot's chat is listed: %+v", chats)
	}
	wantError(t, e.Do("POST", base+"p1/stream", e.A.Bearer(), docBody("hi")), http.StatusNotFound)
}

// docTexts joins the text deltas of Worken's own events, one string per
// run of deltas.
func docTexts(cs []map[string]any) []string {
	var out []string
	for _, c := range cs {
		if c["type"] == "text-delta" {
			out = append(out, c["textDelta"].(string))
		}
	}
	return out
}

// TestEventSourceHearsThreadEvents: the eventsource npm package, with
// the API key in a header as Worken's document shows, gets ThreadEvents
// through onmessage, each with the log's seq as its id
// (testdata/aisdk/events.mjs).
func TestEventSourceHearsThreadEvents(t *testing.T) {
	dir, node := npmtest.Project(t, "testdata/aisdk", "the thread events test")
	e := newEnv(t)
	c, _ := flowChat(t, e, e.A, pizzaBot)
	script := exec.CommandContext(t.Context(), node, "events.mjs")
	script.Dir = dir
	script.Env = append(os.Environ(), "PARLEY_URL="+e.URL, "PARLEY_AUTH="+e.A.Bearer(), "CHAT="+c.ID)
	out, err := script.Output()
	if err != nil {
		t.Fatalf("events.mjs: %v\n%s", err, out)
	}
	var got []struct {
		ID   string
		Data struct {
			ThreadID string `json:"thread_id"`
			Type     string
		}
	}
	if err := json.Unmarshal(out, &got); err != nil || len(got) != 3 {
		t.Fatalf("events.mjs printed %s (%v)", out, err)
	}
	var th thread
	ok(t, e.Do("GET", "/threads/es-thread", e.A.Bearer(), nil), &th)
	last := 0
	for i, ev := range got {
		seq, err := strconv.Atoi(ev.ID)
		if err != nil || seq <= last || ev.Data.ThreadID != th.ID || ev.Data.Type != "message_created" {
			t.Errorf("event %d: %+v (thread %s, after seq %d)", i, ev, th.ID, last)
		}
		last = seq
	}
}
