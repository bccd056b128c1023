package engine_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
)

// echoTwice asks, echoes the answer and asks again; concurrency is its
// settings.concurrency.
const echoTwice = `bot: echo
settings:
  concurrency: %s
variables:
  said: { type: string }
nodes:
  ask:
    kind: question
    text: Say something
    save: said
    next: reply
  reply:
    kind: message
    text: "You said {{ said }}"
    next: ask
`

// doubleText sends n messages to one dialog at once and returns the
// answers' statuses and bodies by message text.
func doubleText(t *testing.T, e *servertest.Env, dialog string, n int) map[string]*servertest.Response {
	t.Helper()
	var mu sync.Mutex
	answers := map[string]*servertest.Response{}
	var wg sync.WaitGroup
	for i := range n {
		text := fmt.Sprintf("m%02d", i)
		wg.Go(func() {
			r := e.Do("POST", "/v1/dialogs/"+dialog+"/messages", e.A.Bearer(), map[string]any{"text": text})
			mu.Lock()
			answers[text] = r
			mu.Unlock()
		})
	}
	wg.Wait()
	return answers
}

type transcript []struct{ Role, Text string }

func messagesOf(t *testing.T, e *servertest.Env, dialog string) transcript {
	t.Helper()
	var view struct{ Messages transcript }
	e.Do("GET", "/v1/dialogs/"+dialog, e.A.Bearer(), nil).JSON(t, &view)
	return view.Messages
}

func startDialog(t *testing.T, e *servertest.Env, slug, flow string) string {
	t.Helper()
	if r := e.Do("PUT", "/v1/bots/"+slug+"/flow", e.A.Bearer(), flow); r.Status != 200 {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	var created struct{ ID string }
	e.Do("POST", "/v1/bots/"+slug+"/dialogs", e.A.Bearer(), nil).JSON(t, &created)
	return created.ID
}

// TestDoubleTextQueue: 20 messages sent to one dialog at once are each
// answered, in the order the dialog took them; none is lost or doubled.
func TestDoubleTextQueue(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	dialog := startDialog(t, e, "echo", fmt.Sprintf(echoTwice, "{ mode: queue }"))
	for text, r := range doubleText(t, e, dialog, 20) {
		if r.Status != 200 || !strings.Contains(string(r.Body), "You said "+text) {
			t.Errorf("%s: %d %s", text, r.Status, r.Body)
		}
	}
	users, seen := 0, map[string]bool{}
	msgs := messagesOf(t, e, dialog)
	for i, m := range msgs {
		if m.Role != "user" {
			continue
		}
		users++
		if seen[m.Text] {
			t.Errorf("%s kept twice", m.Text)
		}
		seen[m.Text] = true
		if i+1 >= len(msgs) || msgs[i+1].Text != "You said "+m.Text {
			t.Errorf("%s is not answered next: %+v", m.Text, msgs[i+1:min(i+2, len(msgs))])
		}
	}
	if users != 20 {
		t.Errorf("%d user messages kept, want 20", users)
	}
}

// TestDoubleTextDebounce: messages that come within the window of each
// other are one turn: each is kept as sent, and the bot answers them
// together once, to the first message's sender, after the window.
func TestDoubleTextDebounce(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	dialog := startDialog(t, e, "echo", fmt.Sprintf(echoTwice, "{ mode: debounce, window: 1s }"))
	start := time.Now()
	answers := doubleText(t, e, dialog, 20)
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("answered after %v, within the window", waited)
	}
	replies := 0
	for text, r := range answers {
		if r.Status != 200 {
			t.Errorf("%s: %d %s", text, r.Status, r.Body)
		}
		if strings.Contains(string(r.Body), "You said") {
			replies++
		}
	}
	users, answered := 0, 0
	for _, m := range messagesOf(t, e, dialog) {
		switch {
		case m.Role == "user":
			users++
		case strings.HasPrefix(m.Text, "You said "):
			answered++
			for i := range 20 {
				if !strings.Contains(m.Text, fmt.Sprintf("m%02d", i)) {
					t.Errorf("the answer lacks m%02d: %q", i, m.Text)
				}
			}
		}
	}
	if users != 20 || answered != 1 || replies != 1 {
		t.Errorf("%d user messages, %d answers kept and %d sent, want 20, 1 and 1", users, answered, replies)
	}
}

// TestDoubleTextReject: while the bot answers (a model call that takes a
// while), other messages are refused with 409 saying why; the ones taken
// are each answered.
func TestDoubleTextReject(t *testing.T) {
	model := llmtest.New(t)
	model.ReplyAlways("Noted.")
	model.Delay(time.Second)
	e := servertest.NewWith(t, servertest.Options{LLM: llm.NewOpenAI(model.URL(), "key")}, native.Dialect)
	dialog := startDialog(t, e, "chat", `bot: chat
settings:
  ai:
    model: { id: test-model }
  concurrency: { mode: reject }
`)
	taken, refused := 0, 0
	for text, r := range doubleText(t, e, dialog, 20) {
		switch {
		case r.Status == 200 && strings.Contains(string(r.Body), "Noted."):
			taken++
		case r.Status == 409 && strings.Contains(string(r.Body), "still answering"):
			refused++
		default:
			t.Errorf("%s: %d %s", text, r.Status, r.Body)
		}
	}
	if taken < 1 || refused < 1 || taken+refused != 20 {
		t.Errorf("%d taken and %d refused of 20", taken, refused)
	}
	users, replies := 0, 0
	for _, m := range messagesOf(t, e, dialog) {
		if m.Role == "user" {
			users++
		} else if m.Text == "Noted." {
			replies++
		}
	}
	if users != taken || replies != taken {
		t.Errorf("%d user messages and %d replies kept, want %d of each", users, replies, taken)
	}
}
