package native

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/events"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
)

const streamBot = `bot: chat
settings:
  ai:
    model: { id: test-model }
`

// sse is one server-sent event, or a comment.
type sse = servertest.SSE

// sseData is the data of a native event.
type sseData struct {
	Type    string
	Dialog  string `json:"dialog_id"`
	Node    string
	Attempt int
	Delta   string
	Message *struct{ ID, Role, Text string }
	Status  string
	Mode    string
	Time    time.Time
}

func decode(t *testing.T, s sse) sseData {
	t.Helper()
	var d sseData
	if err := json.Unmarshal([]byte(s.Data), &d); err != nil {
		t.Fatalf("event %s: data %q is not JSON: %v", s.Event, s.Data, err)
	}
	if d.Type != s.Event {
		t.Errorf("data type %q under event %q", d.Type, s.Event)
	}
	return d
}

// stream opens a dialog's event stream over real HTTP. The stream ends
// when the returned cancel is called or the test ends.
func stream(t *testing.T, e *servertest.Env, dialog, auth string) (<-chan sse, context.CancelFunc) {
	t.Helper()
	return streamFrom(t, e, "/v1/dialogs/"+dialog+"/events", auth, "")
}

// streamFrom opens an event stream at path, resuming after lastEventID
// when it is set.
func streamFrom(t *testing.T, e *servertest.Env, path, auth, lastEventID string) (<-chan sse, context.CancelFunc) {
	t.Helper()
	return e.Stream(path, auth, lastEventID)
}

// next returns the next event (not comment) of a stream.
func next(t *testing.T, ch <-chan sse) sse {
	t.Helper()
	return servertest.NextEvent(t, ch)
}

// TestDialogEventsStreamTheReply follows a conversing bot's turn: the
// model's text arrives in pieces before the stored messages are announced.
func TestDialogEventsStreamTheReply(t *testing.T) {
	model := llmtest.New(t)
	e := servertest.NewWith(t, servertest.Options{LLM: llm.NewOpenAI(model.URL(), "")}, Dialect)
	if r := e.Do("PUT", "/v1/bots/chat/flow", e.A.Bearer(), streamBot); r.Status != http.StatusOK {
		t.Fatalf("publishing: %d %s", r.Status, r.Body)
	}
	var created struct{ ID string }
	e.Do("POST", "/v1/bots/chat/dialogs", e.A.Bearer(), nil).JSON(t, &created)
	ch, _ := stream(t, e, created.ID, e.A.Bearer())

	const reply = "Hello there, how can I help you today?"
	model.Reply(reply)
	var turn struct{ Messages []struct{ Text string } }
	r := e.Do("POST", "/v1/dialogs/"+created.ID+"/messages", e.A.Bearer(), map[string]any{"text": "hi"})
	r.JSON(t, &turn)
	if r.Status != http.StatusOK || len(turn.Messages) != 1 || turn.Messages[0].Text != reply {
		t.Fatalf("turn: %d %s", r.Status, r.Body)
	}

	var deltas []string
	var stored []string // "role: text" of message.created, in order
	for len(stored) < 2 {
		ev := next(t, ch)
		d := decode(t, ev)
		if d.Dialog != created.ID {
			t.Errorf("%s for dialog %q, want %q", ev.Event, d.Dialog, created.ID)
		}
		if d.Time.IsZero() {
			t.Errorf("%s without time", ev.Event)
		}
		switch ev.Event {
		case events.TypeTextDelta:
			if len(stored) > 1 {
				t.Errorf("text-delta %q after the reply was stored", d.Delta)
			}
			if d.Node == "" || d.Attempt != 1 {
				t.Errorf("text-delta node %q attempt %d, want a node and attempt 1", d.Node, d.Attempt)
			}
			deltas = append(deltas, d.Delta)
		case events.TypeMessageCreated:
			if d.Message == nil || d.Message.ID == "" {
				t.Fatalf("message.created without a message: %s", ev.Data)
			}
			stored = append(stored, d.Message.Role+": "+d.Message.Text)
		case events.TypeDialogUpdated:
			if d.Status != store.StatusInProcess || d.Mode != store.ModeAuto {
				t.Errorf("dialog.updated %s/%s, want in-process/auto", d.Status, d.Mode)
			}
		default:
			t.Errorf("unexpected event %s: %s", ev.Event, ev.Data)
		}
	}
	if got := strings.Join(deltas, ""); got != reply || len(deltas) < 2 {
		t.Errorf("text deltas %q join to %q, want %q in several pieces", deltas, got, reply)
	}
	if want := []string{"user: hi", "assistant: " + reply}; strings.Join(stored, "|") != strings.Join(want, "|") {
		t.Errorf("message.created: %q, want %q", stored, want)
	}
}

func TestDialogEventsLookup(t *testing.T) {
	e := servertest.New(t, Dialect)
	if r := e.Do("PUT", "/v1/bots/chat/flow", e.A.Bearer(), "bot: chat\nnodes:\n  hi:\n    kind: end\n    text: Hi.\n"); r.Status != http.StatusOK {
		t.Fatalf("publishing: %d %s", r.Status, r.Body)
	}
	var created struct{ ID string }
	e.Do("POST", "/v1/bots/chat/dialogs", e.A.Bearer(), map[string]any{"start": false}).JSON(t, &created)
	d, err := e.Store.Dialog(t.Context(), e.A.ID, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, dialog, auth string
		want               int
	}{
		{"unknown dialog", "00000000-0000-0000-0000-000000000000", e.A.Bearer(), http.StatusNotFound},
		{"unknown id", "999999", e.A.Bearer(), http.StatusNotFound},
		{"another project's dialog", created.ID, e.B.Bearer(), http.StatusNotFound},
		{"another project's dialog by number", strconv.FormatInt(d.Number, 10), e.B.Bearer(), http.StatusNotFound},
		{"no credentials", created.ID, "", http.StatusUnauthorized},
		{"wrong key", created.ID, "Bearer sk-wrong", http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := e.Do("GET", "/v1/dialogs/"+tc.dialog+"/events", tc.auth, nil)
			var body struct{ Error struct{ Code string } }
			r.JSON(t, &body)
			if r.Status != tc.want || body.Error.Code == "" {
				t.Errorf("got %d %s, want %d with an error code", r.Status, r.Body, tc.want)
			}
		})
	}
	t.Run("by number", func(t *testing.T) {
		ch, cancel := stream(t, e, strconv.FormatInt(d.Number, 10), e.A.Basic())
		defer cancel()
		e.Bus.Publish(t.Context(), events.Event{Type: events.TypeTextDelta, ProjectID: e.A.ID, DialogID: d.ID, Delta: "x"})
		if d := decode(t, next(t, ch)); d.Delta != "x" || d.Dialog != created.ID {
			t.Errorf("got %+v, want the delta for %s", d, created.ID)
		}
	})
}

// TestDialogEventsStream covers what the stream does besides relaying:
// deduplicated messages, keepalives, and ending when the client goes.
func TestDialogEventsStream(t *testing.T) {
	defer func(k time.Duration) { server.SSEKeepalive = k }(server.SSEKeepalive)
	server.SSEKeepalive = 20 * time.Millisecond
	e := servertest.New(t, Dialect)
	if r := e.Do("PUT", "/v1/bots/chat/flow", e.A.Bearer(), "bot: chat\nnodes:\n  hi:\n    kind: end\n    text: Hi.\n"); r.Status != http.StatusOK {
		t.Fatalf("publishing: %d %s", r.Status, r.Body)
	}
	var created struct{ ID string }
	e.Do("POST", "/v1/bots/chat/dialogs", e.A.Bearer(), map[string]any{"start": false}).JSON(t, &created)
	d, err := e.Store.Dialog(t.Context(), e.A.ID, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	ch, cancel := stream(t, e, created.ID, e.A.Bearer())

	t.Run("keepalive", func(t *testing.T) {
		timeout := time.After(20 * time.Second)
		for {
			select {
			case ev := <-ch:
				if ev.Comment == "keepalive" {
					return
				}
			case <-timeout:
				t.Fatal("no keepalive comment")
			}
		}
	})
	t.Run("a message announced twice is sent once", func(t *testing.T) {
		m := store.Message{ID: created.ID + "-1", DialogID: d.ID, Seq: 1, Role: store.MessageUser, Text: "hi"}
		publishMessage(t, e.Bus, e.A.ID, created.ID, m)
		publishMessage(t, e.Bus, e.A.ID, "", m)
		e.Bus.Publish(t.Context(), events.Event{Type: events.TypeTextDelta, ProjectID: e.A.ID, DialogID: d.ID, Delta: "after"})
		if d := decode(t, next(t, ch)); d.Type != events.TypeMessageCreated || d.Message == nil || d.Message.ID != m.ID || d.Message.Text != "hi" {
			t.Errorf("first: %+v, want message.created %s", d, m.ID)
		}
		if d := decode(t, next(t, ch)); d.Type != events.TypeTextDelta || d.Delta != "after" {
			t.Errorf("second: %+v, want the text-delta (the repeat dropped)", d)
		}
	})
	t.Run("other dialogs are not sent", func(t *testing.T) {
		e.Bus.Publish(t.Context(), events.Event{Type: events.TypeTextDelta, ProjectID: e.A.ID, DialogID: d.ID + 1, Delta: "other"})
		e.Bus.Publish(t.Context(), events.Event{Type: events.TypeTextDelta, ProjectID: e.B.ID, DialogID: d.ID, Delta: "other project"})
		e.Bus.Publish(t.Context(), events.Event{Type: events.TypeTextDelta, ProjectID: e.A.ID, DialogID: d.ID, Delta: "mine"})
		if d := decode(t, next(t, ch)); d.Delta != "mine" {
			t.Errorf("got %q, want only this dialog's event", d.Delta)
		}
	})
	t.Run("the client goes away", func(t *testing.T) {
		cancel()
		deadline := time.Now().Add(10 * time.Second)
		for e.Bus.Subscribers() > 0 {
			if time.Now().After(deadline) {
				t.Fatalf("%d subscriptions left after the client went away", e.Bus.Subscribers())
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
}

// TestDialogEventsResume: a client that reconnects with Last-Event-ID (or
// last_event_id) first gets the stored messages after that one, each with
// its seq as the event id, then live events, without repeats.
func TestDialogEventsResume(t *testing.T) {
	e := servertest.New(t, Dialect)
	bot := "bot: chat\nnodes:\n  ask:\n    kind: question\n    text: Name?\n    next: bye\n  bye:\n    kind: end\n    text: Bye.\n"
	if r := e.Do("PUT", "/v1/bots/chat/flow", e.A.Bearer(), bot); r.Status != http.StatusOK {
		t.Fatalf("publishing: %d %s", r.Status, r.Body)
	}
	var created struct{ ID string }
	e.Do("POST", "/v1/bots/chat/dialogs", e.A.Bearer(), nil).JSON(t, &created)
	e.Do("POST", "/v1/dialogs/"+created.ID+"/messages", e.A.Bearer(), map[string]any{"text": "Ada"})
	d, err := e.Store.Dialog(t.Context(), e.A.ID, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	path := "/v1/dialogs/" + created.ID + "/events"

	resumed := func(t *testing.T, ch <-chan sse, want ...string) {
		t.Helper()
		for _, w := range want {
			ev := next(t, ch)
			if d := decode(t, ev); ev.Event != events.TypeMessageCreated || d.Message == nil || ev.ID+":"+d.Message.Text != w {
				t.Fatalf("got %s id %q %s, want message.created %s", ev.Event, ev.ID, ev.Data, w)
			}
		}
		// Then live events: the last message, announced again, is not repeated.
		m := store.Message{ID: created.ID + "-4", DialogID: d.ID, Seq: 4, Role: store.MessageAssistant, Text: "Bye."}
		publishMessage(t, e.Bus, e.A.ID, created.ID, m)
		e.Bus.Publish(t.Context(), events.Event{Type: events.TypeTextDelta, ProjectID: e.A.ID, DialogID: d.ID, Delta: "live"})
		if ev := next(t, ch); ev.Event != events.TypeTextDelta || decode(t, ev).Delta != "live" || ev.ID != "" {
			t.Errorf("live: %s id %q %s, want the text delta without an id", ev.Event, ev.ID, ev.Data)
		}
	}
	// Seqs: 1 Name?, 2 Ada, 3 the collected answer (not a message), 4 Bye.
	t.Run("after the first message", func(t *testing.T) {
		ch, cancel := streamFrom(t, e, path, e.A.Bearer(), "1")
		defer cancel()
		resumed(t, ch, "2:Ada", "4:Bye.")
	})
	t.Run("with the query parameter", func(t *testing.T) {
		ch, cancel := streamFrom(t, e, path+"?last_event_id=3", e.A.Bearer(), "")
		defer cancel()
		resumed(t, ch, "4:Bye.")
	})
	t.Run("from the start", func(t *testing.T) {
		ch, cancel := streamFrom(t, e, path, e.A.Bearer(), "0")
		defer cancel()
		resumed(t, ch, "1:Name?", "2:Ada", "4:Bye.")
	})
	t.Run("nothing missed", func(t *testing.T) {
		ch, cancel := streamFrom(t, e, path, e.A.Bearer(), "4")
		defer cancel()
		resumed(t, ch)
	})
	t.Run("a bad id", func(t *testing.T) {
		for _, id := range []string{"abc", "-1"} {
			r := e.Do("GET", path+"?last_event_id="+id, e.A.Bearer(), nil)
			if r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "INVALID_LAST_EVENT_ID") {
				t.Errorf("%s: %d %s", id, r.Status, r.Body)
			}
		}
	})
}

// publishMessage announces m on bus as the store's log does.
func publishMessage(t *testing.T, bus events.Bus, projectID int64, dialogUUID string, m store.Message) {
	bus.Publish(t.Context(), events.Event{Type: events.TypeMessageCreated, ProjectID: projectID, DialogID: m.DialogID,
		DialogUUID: dialogUUID, Message: &m})
}
