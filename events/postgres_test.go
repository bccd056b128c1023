package events

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/postgres/pgtest"
)

// TestFrameRoundTrip packs batches into payloads that fit a notification
// and reads them back, big events split on rune boundaries.
func TestFrameRoundTrip(t *testing.T) {
	big := strings.Repeat("ъ", 9000) // 18000 bytes: three payloads
	batch := []Event{
		{Type: TypeTextDelta, ProjectID: 1, DialogID: 2, Delta: "Hel"},
		{Type: TypeMessageCreated, ProjectID: 1, DialogID: 2, Message: &store.Message{ID: "m-1", Text: big}},
	}
	for i := range 300 {
		batch = append(batch, Event{Type: TypeTextDelta, ProjectID: 1, DialogID: 2, Delta: fmt.Sprint(i)})
	}
	payloads := frame("x-1", batch)
	var a assembler
	var got []Event
	for _, p := range payloads {
		if len(p) >= 8000 || !utf8.ValidString(p) {
			t.Fatalf("payload of %d bytes, valid UTF-8 %v", len(p), utf8.ValidString(p))
		}
		got = append(got, a.add(p)...)
	}
	if len(payloads) < 3 {
		t.Errorf("%d payloads, want the big message split", len(payloads))
	}
	if len(got) != len(batch) {
		t.Fatalf("got %d events back, want %d", len(got), len(batch))
	}
	if got[1].Message == nil || got[1].Message.Text != big || got[0].Delta != "Hel" || got[len(got)-1].Delta != "299" {
		t.Errorf("the events changed on the way")
	}
	t.Run("a lost part drops the event", func(t *testing.T) {
		payloads := frame("x-2", batch[1:2])
		var a assembler
		var got []Event
		for i, p := range payloads {
			if i != 1 {
				got = append(got, a.add(p)...)
			}
		}
		got = append(got, a.add(frame("x-3", batch[:1])[0])...)
		if len(got) != 1 || got[0].Delta != "Hel" {
			t.Errorf("got %+v, want only the next whole event", got)
		}
	})
}

// TestPostgresBetweenProcesses runs two buses on one database, as a
// worker and an API server would.
func TestPostgresBetweenProcesses(t *testing.T) {
	url := pgtest.URL(t)
	worker, err := NewPostgres(t.Context(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer worker.Close()
	api, err := NewPostgres(t.Context(), url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	other, err := NewPostgres(t.Context(), pgtest.URL(t), nil) // another schema
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	ch, stop := api.Subscribe(t.Context(), 1, 2)
	defer stop()
	mine, stopMine := worker.Subscribe(t.Context(), 1, 0)
	defer stopMine()
	elsewhere, stopElsewhere := other.Subscribe(t.Context(), 1, 0)
	defer stopElsewhere()

	big := strings.Repeat("текст ", 3000)
	want := []string{"Hel", "lo", big}
	worker.Publish(t.Context(), Event{Type: TypeTextDelta, ProjectID: 1, DialogID: 2, Delta: "Hel"})
	worker.Publish(t.Context(), Event{Type: TypeTextDelta, ProjectID: 1, DialogID: 3, Delta: "other dialog"})
	worker.Publish(t.Context(), Event{Type: TypeTextDelta, ProjectID: 2, DialogID: 2, Delta: "other project"})
	worker.Publish(t.Context(), Event{Type: TypeTextDelta, ProjectID: 1, DialogID: 2, Delta: "lo"})
	Announce(worker)(t.Context(), []store.Event{{ProjectID: 1, Seq: 1, Type: store.EventMessageCreated, DialogID: 2, DialogUUID: "u",
		Data: store.EventData{Message: &store.Message{ID: "u-1", DialogID: 2, Seq: 1, Text: big}}}})

	var got []string
	for range want {
		ev := recv(t, ch)
		if ev.Message != nil {
			got = append(got, ev.Message.Text)
		} else {
			got = append(got, ev.Delta)
		}
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %.80q, want %.80q", got, want)
	}
	empty(t, ch)
	if n := len(drain(mine, 4)); n != 4 {
		t.Errorf("the publishing process got %d of its 4 project events", n)
	}
	// Notifications reach a listener in commit order: had the other
	// schema's bus heard the worker, those events would come first.
	other.Publish(t.Context(), Event{Type: TypeTextDelta, ProjectID: 1, DialogID: 2, Delta: "marker"})
	if ev := recv(t, elsewhere); ev.Delta != "marker" {
		t.Errorf("another schema's bus got %+v", ev)
	}

	api.Close()
	closed(t, ch)
	api.Publish(t.Context(), Event{ProjectID: 1, DialogID: 2}) // after Close: nothing, no panic
}

// drain reads up to n events, waiting briefly for each.
func drain(ch <-chan Event, n int) []Event {
	var out []Event
	for range n {
		select {
		case ev := <-ch:
			out = append(out, ev)
		case <-time.After(2 * time.Second):
			return out
		}
	}
	return out
}
