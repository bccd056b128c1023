package events

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/store"
)

// recv returns the next event, failing the test if none comes soon.
func recv(t *testing.T, ch <-chan Event) Event {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("the channel closed")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event")
	}
	return Event{}
}

// empty fails if an event is waiting on ch.
func empty(t *testing.T, ch <-chan Event) {
	t.Helper()
	select {
	case ev := <-ch:
		t.Fatalf("unexpected event %+v", ev)
	default:
	}
}

// closed waits for ch to close, draining what is left.
func closed(t *testing.T, ch <-chan Event) {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-timeout:
			t.Fatal("the channel is still open")
		}
	}
}

func TestMemoryRoutesByDialogAndProject(t *testing.T) {
	bus := NewMemory()
	ctx := t.Context()
	dialog, stopDialog := bus.Subscribe(ctx, 1, 10)
	defer stopDialog()
	project, stopProject := bus.Subscribe(ctx, 1, 0)
	defer stopProject()
	other, stopOther := bus.Subscribe(ctx, 2, 10)
	defer stopOther()

	bus.Publish(ctx, Event{Type: TypeTextDelta, ProjectID: 1, DialogID: 10, Delta: "Hel"})
	bus.Publish(ctx, Event{Type: TypeTextDelta, ProjectID: 1, DialogID: 11, Delta: "other dialog"})
	bus.Publish(ctx, Event{Type: TypeTextDelta, ProjectID: 1, DialogID: 10, Delta: "lo"})

	if got := recv(t, dialog).Delta + recv(t, dialog).Delta; got != "Hello" {
		t.Errorf("dialog subscriber got %q, want %q", got, "Hello")
	}
	empty(t, dialog)
	var got []string
	for range 3 {
		got = append(got, recv(t, project).Delta)
	}
	if want := []string{"Hel", "other dialog", "lo"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("project subscriber got %q, want %q", got, want)
	}
	empty(t, project)
	empty(t, other)
}

func TestMemorySetsTime(t *testing.T) {
	bus := NewMemory()
	ch, stop := bus.Subscribe(t.Context(), 1, 1)
	defer stop()
	before := time.Now()
	bus.Publish(t.Context(), Event{Type: TypeTextDelta, ProjectID: 1, DialogID: 1})
	if ev := recv(t, ch); ev.Time.Before(before) {
		t.Errorf("time %v is before the publish at %v", ev.Time, before)
	}
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	bus.Publish(t.Context(), Event{Type: TypeTextDelta, ProjectID: 1, DialogID: 1, Time: at})
	if ev := recv(t, ch); !ev.Time.Equal(at) {
		t.Errorf("time %v, want the given %v", ev.Time, at)
	}
}

// TestMemorySlowSubscriberLosesEvents checks that a full buffer never
// blocks Publish, that the loss is counted, and that other subscribers
// get everything.
func TestMemorySlowSubscriberLosesEvents(t *testing.T) {
	bus := NewMemoryBuffer(2)
	ctx := t.Context()
	slow, stopSlow := bus.Subscribe(ctx, 1, 1)
	defer stopSlow()
	fast, stopFast := bus.Subscribe(ctx, 1, 1)
	defer stopFast()

	var fastGot []string
	for i := range 5 {
		bus.Publish(ctx, Event{Type: TypeTextDelta, ProjectID: 1, DialogID: 1, Delta: fmt.Sprint(i)})
		fastGot = append(fastGot, recv(t, fast).Delta)
	}
	if fmt.Sprint(fastGot) != "[0 1 2 3 4]" {
		t.Errorf("the fast subscriber got %v", fastGot)
	}
	if a, b := recv(t, slow), recv(t, slow); a.Delta != "0" || b.Delta != "1" || a.Lost != 0 || b.Lost != 0 {
		t.Errorf("the slow subscriber got %+v, %+v; want 0 and 1, nothing lost", a, b)
	}
	empty(t, slow)
	bus.Publish(ctx, Event{Type: TypeTextDelta, ProjectID: 1, DialogID: 1, Delta: "5"})
	if ev := recv(t, slow); ev.Delta != "5" || ev.Lost != 3 {
		t.Errorf("after the loss the slow subscriber got %q lost %d, want \"5\" lost 3", ev.Delta, ev.Lost)
	}
	bus.Publish(ctx, Event{Type: TypeTextDelta, ProjectID: 1, DialogID: 1, Delta: "6"})
	if ev := recv(t, slow); ev.Lost != 0 {
		t.Errorf("the loss is counted again: %d", ev.Lost)
	}
}

func TestMemoryUnsubscribe(t *testing.T) {
	t.Run("stop", func(t *testing.T) {
		bus := NewMemory()
		ch, stop := bus.Subscribe(t.Context(), 1, 1)
		stop()
		stop() // twice is fine
		closed(t, ch)
		if n := bus.Subscribers(); n != 0 {
			t.Errorf("%d subscribers left", n)
		}
		bus.Publish(t.Context(), Event{ProjectID: 1, DialogID: 1}) // no panic on a closed channel
	})
	t.Run("context ends", func(t *testing.T) {
		bus := NewMemory()
		ctx, cancel := context.WithCancel(t.Context())
		ch, stop := bus.Subscribe(ctx, 1, 0)
		defer stop()
		cancel()
		closed(t, ch)
		if n := bus.Subscribers(); n != 0 {
			t.Errorf("%d subscribers left", n)
		}
	})
	t.Run("close", func(t *testing.T) {
		bus := NewMemory()
		ch, stop := bus.Subscribe(t.Context(), 1, 1)
		defer stop()
		bus.Close()
		closed(t, ch)
		late, stopLate := bus.Subscribe(t.Context(), 1, 1)
		defer stopLate()
		closed(t, late)
		bus.Publish(t.Context(), Event{ProjectID: 1, DialogID: 1})
	})
}

// TestMemoryConcurrent publishes, subscribes and unsubscribes at once;
// run with -race.
func TestMemoryConcurrent(t *testing.T) {
	bus := NewMemoryBuffer(4)
	ctx := t.Context()
	var wg sync.WaitGroup
	for p := range 4 {
		wg.Go(func() {
			for i := range 500 {
				bus.Publish(ctx, Event{Type: TypeTextDelta, ProjectID: 1, DialogID: int64(p%2 + 1), Delta: fmt.Sprint(i)})
			}
		})
	}
	for s := range 8 {
		wg.Go(func() {
			for range 50 {
				ch, stop := bus.Subscribe(ctx, 1, int64(s%3))
				select {
				case <-ch:
				default:
				}
				stop()
			}
		})
	}
	wg.Wait()
	if n := bus.Subscribers(); n != 0 {
		t.Errorf("%d subscribers left", n)
	}
}

func TestAnnounce(t *testing.T) {
	bus := NewMemory()
	ch, stop := bus.Subscribe(t.Context(), 7, 3)
	defer stop()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	n := 2
	logged := []store.Event{
		{ProjectID: 7, Seq: 11, Type: store.EventMessageCreated, DialogID: 3, DialogUUID: "u", BotID: 5, CreatedAt: at,
			Data: store.EventData{Message: &store.Message{ID: "u-1", DialogID: 3, Seq: 1, Text: "hi"}}},
		{ProjectID: 7, Seq: 12, Type: store.EventDialogPending, DialogID: 3, DialogUUID: "u", Queue: "billing", CreatedAt: at,
			Data: store.EventData{Pending: &n}},
		{ProjectID: 7, Seq: 13, Type: store.EventHandoffRequested, DialogID: 3, DialogUUID: "u", Queue: "billing", CreatedAt: at,
			Data: store.EventData{Handoff: &store.Handoff{Status: store.HandoffRequested, Queue: "billing"}, Position: 2}},
	}
	Announce(bus)(t.Context(), logged)
	Announce(nil)(t.Context(), logged) // a nil bus is fine
	if ev := recv(t, ch); ev.Type != TypeMessageCreated || ev.Seq != 11 || ev.DialogUUID != "u" || ev.BotID != 5 ||
		ev.Message == nil || ev.Message.ID != "u-1" || !ev.Time.Equal(at) {
		t.Errorf("got %+v, want message.created u-1 with seq 11", ev)
	}
	if ev := recv(t, ch); ev.Type != store.EventDialogPending || ev.Seq != 12 || ev.Pending == nil || *ev.Pending != 2 || ev.Queue != "billing" {
		t.Errorf("got %+v, want dialog.pending 2 with seq 12", ev)
	}
	if ev := recv(t, ch); ev.Type != store.EventHandoffRequested || ev.Handoff == nil || ev.Handoff.Queue != "billing" || ev.Position != 2 {
		t.Errorf("got %+v, want handoff.requested in billing at position 2", ev)
	}
	empty(t, ch)
}
