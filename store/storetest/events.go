package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/store"
)

// eventTypes lists the types of evs, for comparisons.
func eventTypes(evs []store.Event) []string {
	return pluck(evs, func(ev store.Event) string { return ev.Type })
}

// eventSeqs lists the Seq of evs.
func eventSeqs(evs []store.Event) []int64 {
	return pluck(evs, func(ev store.Event) int64 { return ev.Seq })
}

// logged lists every event of a project after seq.
func logged(t *testing.T, s store.Store, projectID, after int64) []store.Event {
	t.Helper()
	evs, err := s.Events(t.Context(), projectID, store.EventFilter{After: after, Limit: 1000})
	noErr(t, err)
	return evs
}

// lastSeq is the Seq of a project's newest event, 0 for none.
func lastSeq(t *testing.T, s store.Store, projectID int64) int64 {
	t.Helper()
	evs := logged(t, s, projectID, 0)
	if len(evs) == 0 {
		return 0
	}
	return evs[len(evs)-1].Seq
}

// turnState is a state of d at seq, in process unless changed by fn.
func turnState(d *store.Dialog, seq int64, fn func(*store.DialogState)) store.DialogState {
	s := store.DialogState{DialogID: d.ID, StateSeq: seq, BotID: d.BotID, Version: 1, Status: store.StatusInProcess,
		Mode: store.ModeAuto, Node: "ask", Variables: map[string]any{}, UpdatedAt: utc(int(seq))}
	if fn != nil {
		fn(&s)
	}
	return s
}

func testEventLog(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, other := newProject(t, s), newProject(t, s)
	b := newBot(t, s, p.ID)

	var mu sync.Mutex
	var heard []store.Event
	s.OnEvents(func(_ context.Context, evs []store.Event) {
		mu.Lock()
		defer mu.Unlock()
		heard = append(heard, evs...)
	})
	hooked := func() []store.Event {
		mu.Lock()
		defer mu.Unlock()
		return append([]store.Event(nil), heard...)
	}

	d := newDialog(t, s, p.ID, b.ID)
	t.Run("a created dialog is logged", func(t *testing.T) {
		evs := logged(t, s, p.ID, 0)
		same(t, "types", eventTypes(evs), []string{store.EventDialogCreated})
		ev := evs[0]
		same(t, "event", [5]any{ev.Seq, ev.DialogID, ev.DialogUUID, ev.BotID, ev.Data.Status},
			[5]any{int64(1), d.ID, d.UUID, b.ID, store.StatusCreated})
		inUTC(t, "CreatedAt", ev.CreatedAt)
		same(t, "hooked", eventSeqs(hooked()), []int64{1})
	})

	t.Run("a turn logs its messages and changes once, however often it is stored", func(t *testing.T) {
		before := lastSeq(t, s, p.ID)
		st := turnState(d, 2, nil)
		turn := store.Turn{Messages: []store.Message{message(d, 1, "Hi"), message(d, 2, "Hello")}, State: &st}
		noErr(t, s.SaveTurn(ctx, turn))
		noErr(t, s.SaveTurn(ctx, turn)) // the workflow stores it again
		evs := logged(t, s, p.ID, before)
		same(t, "types", eventTypes(evs), []string{store.EventMessageCreated, store.EventMessageCreated, store.EventDialogUpdated})
		same(t, "seqs", eventSeqs(evs), []int64{before + 1, before + 2, before + 3})
		same(t, "message", [4]any{evs[1].DialogUUID, evs[1].BotID, evs[1].Data.Message.Seq, evs[1].Data.Message.Text},
			[4]any{d.UUID, b.ID, int64(2), "Hello"})
		same(t, "status", [2]string{evs[2].Data.Status, evs[2].Data.Mode}, [2]string{store.StatusInProcess, store.ModeAuto})
		same(t, "hooked", eventSeqs(hooked())[1:], []int64{before + 1, before + 2, before + 3})
	})

	t.Run("a failed turn logs nothing", func(t *testing.T) {
		before, hookedBefore := lastSeq(t, s, p.ID), len(hooked())
		st := turnState(d, 3, func(s *store.DialogState) { s.BotID = 999_999_999; s.Status = store.StatusOperator })
		wantCode(t, s.SaveTurn(ctx, store.Turn{Messages: []store.Message{message(d, 3, "lost")}, State: &st}), store.ENOTFOUND)
		same(t, "events", len(logged(t, s, p.ID, before)), 0)
		same(t, "hooked", len(hooked()), hookedBefore)
	})

	t.Run("the handoff's life is logged and read back", func(t *testing.T) {
		before := lastSeq(t, s, p.ID)
		asked := utc(4)
		requested := &store.Handoff{Status: store.HandoffRequested, Queue: "billing", Reason: "wants a refund",
			RequestedAt: &asked, LastUserText: "refund please"}
		st := turnState(d, 4, func(s *store.DialogState) {
			s.Status, s.Mode, s.PendingCount, s.Handoff = store.StatusOperator, store.ModeOperator, 1, requested
		})
		noErr(t, s.SaveTurn(ctx, store.Turn{State: &st}))
		got, err := s.DialogByID(ctx, p.ID, d.ID)
		noErr(t, err)
		same(t, "handoff", got.Handoff, requested)

		second := newDialog(t, s, p.ID, b.ID)
		later := utc(5)
		st2 := turnState(second, 2, func(s *store.DialogState) {
			s.Status, s.Mode = store.StatusOperator, store.ModeOperator
			s.Handoff = &store.Handoff{Status: store.HandoffRequested, Queue: "billing", RequestedAt: &later}
		})
		noErr(t, s.SaveTurn(ctx, store.Turn{State: &st2}))

		taken := utc(6)
		active := *requested
		active.Status, active.OperatorID, active.OperatorName, active.TakenAt = store.HandoffActive, "u1", "Olga", &taken
		st = turnState(d, 5, func(s *store.DialogState) {
			s.Status, s.Mode, s.Handoff = store.StatusOperator, store.ModeOperator, &active
		})
		noErr(t, s.SaveTurn(ctx, store.Turn{State: &st}))
		released := active
		back := utc(7)
		released.Status, released.ReleasedAt = store.HandoffReleased, &back
		st = turnState(d, 6, func(s *store.DialogState) { s.Handoff = &released; s.Status = store.StatusCompleted })
		noErr(t, s.SaveTurn(ctx, store.Turn{State: &st}))

		evs := logged(t, s, p.ID, before)
		same(t, "types", eventTypes(evs), []string{
			store.EventDialogUpdated, store.EventDialogPending, store.EventHandoffRequested, // d asks
			store.EventDialogCreated, store.EventDialogUpdated, store.EventHandoffRequested, // second asks
			store.EventDialogPending, store.EventHandoffStarted, // d is taken
			store.EventDialogUpdated, store.EventHandoffReleased, store.EventDialogCompleted, // d is done
		})
		same(t, "positions", [2]int{evs[2].Data.Position, evs[5].Data.Position}, [2]int{1, 2})
		same(t, "queue of a requested dialog's events", [2]string{evs[0].Queue, evs[2].Queue}, [2]string{"billing", "billing"})
		same(t, "started by", evs[7].Data.Handoff.OperatorName, "Olga")
		same(t, "queue once released", evs[9].Queue, "")

		billing, err := s.Events(ctx, p.ID, store.EventFilter{After: before, Queue: "billing", Types: []string{store.EventHandoffRequested}})
		noErr(t, err)
		same(t, "requested in billing", eventSeqs(billing), []int64{evs[2].Seq, evs[5].Seq})
		ofSecond, err := s.Events(ctx, p.ID, store.EventFilter{DialogID: second.ID})
		noErr(t, err)
		same(t, "the second dialog's", eventTypes(ofSecond), []string{store.EventDialogCreated, store.EventDialogUpdated, store.EventHandoffRequested})
		page, err := s.Events(ctx, p.ID, store.EventFilter{After: before, Limit: 2})
		noErr(t, err)
		same(t, "a page", eventSeqs(page), []int64{before + 1, before + 2})
		ofBot, err := s.Events(ctx, p.ID, store.EventFilter{BotID: b.ID + 1})
		noErr(t, err)
		same(t, "another bot's", len(ofBot), 0)
	})

	t.Run("an operator's note is stored apart from the messages, and logged", func(t *testing.T) {
		before := lastSeq(t, s, p.ID)
		n := &store.Note{DialogID: d.ID, OperatorID: "u1", OperatorName: "Olga", Text: "VIP: be quick"}
		noErr(t, s.AddNote(ctx, n))
		if n.ID == 0 || n.CreatedAt.IsZero() {
			t.Errorf("AddNote left %+v", n)
		}
		notes, err := s.Notes(ctx, d.ID)
		noErr(t, err)
		same(t, "notes", notes, []store.Note{*n})
		evs := logged(t, s, p.ID, before)
		same(t, "logged", eventTypes(evs), []string{store.EventNoteCreated})
		same(t, "note event", [2]any{evs[0].DialogUUID, evs[0].Data.Note.Text}, [2]any{d.UUID, "VIP: be quick"})
		msgs, err := s.Messages(ctx, d.ID)
		noErr(t, err)
		for _, m := range msgs {
			if m.Text == n.Text {
				t.Errorf("the note is among the dialog's messages: %+v", m)
			}
		}
		wantCode(t, s.AddNote(ctx, &store.Note{DialogID: d.ID, Text: "  "}), store.EINVALID)
		wantCode(t, s.AddNote(ctx, &store.Note{DialogID: 999_999_999, Text: "lost"}), store.ENOTFOUND)
		none, err := s.Notes(ctx, 999_999_999)
		noErr(t, err)
		same(t, "notes of no dialog", none, []store.Note{})
	})

	t.Run("scheduled messages are stored with the state", func(t *testing.T) {
		at := utc(50)
		sch := []store.ScheduledMessage{{ID: "sch-1", Text: "Still there?", At: at, OperatorID: "u1", Operator: "Olga"}}
		st := turnState(d, 20, func(s *store.DialogState) { s.Scheduled = sch })
		noErr(t, s.SaveTurn(ctx, store.Turn{State: &st}))
		got, err := s.DialogByID(ctx, p.ID, d.ID)
		noErr(t, err)
		same(t, "scheduled", got.Scheduled, sch)
		st = turnState(d, 21, nil)
		noErr(t, s.SaveTurn(ctx, store.Turn{State: &st}))
		got, err = s.DialogByID(ctx, p.ID, d.ID)
		noErr(t, err)
		same(t, "none scheduled", len(got.Scheduled), 0)
	})

	t.Run("each project numbers its own events", func(t *testing.T) {
		ob := newBot(t, s, other.ID)
		newDialog(t, s, other.ID, ob.ID)
		evs := logged(t, s, other.ID, 0)
		same(t, "other project's", eventSeqs(evs), []int64{1})
		foreign, err := s.Events(ctx, p.ID, store.EventFilter{DialogID: evs[0].DialogID})
		noErr(t, err)
		same(t, "another project's dialog", len(foreign), 0)
	})

	t.Run("events of no dialog change", func(t *testing.T) {
		before := lastSeq(t, s, p.ID)
		test := []store.Event{{ProjectID: p.ID, Type: "webhook.test", Data: store.EventData{Extra: map[string]any{"hello": "world"}}}}
		noErr(t, s.LogEvents(ctx, test))
		same(t, "the seq given", test[0].Seq, before+1)
		inUTC(t, "the time given", test[0].CreatedAt)
		evs := logged(t, s, p.ID, before)
		same(t, "logged", [3]any{eventSeqs(evs), evs[0].Type, evs[0].Data.Extra["hello"]}, [3]any{[]int64{before + 1}, "webhook.test", "world"})
		wantCode(t, s.LogEvents(ctx, []store.Event{{ProjectID: 999_999_999, Type: "webhook.test"}}), store.ENOTFOUND)
	})
}

func testTrimEvents(t *testing.T, s store.Store) {
	ctx := t.Context()
	clock := s.(Clock) // Run's open returns one
	now := utc(10)
	clock.SetNow(func() time.Time { return now })
	p := newProject(t, s)
	first, err := s.FirstEventSeq(ctx, p.ID)
	noErr(t, err)
	same(t, "start of an empty log", first, int64(1))
	b := newBot(t, s, p.ID)
	newDialog(t, s, p.ID, b.ID)
	newDialog(t, s, p.ID, b.ID)
	now = utc(20)
	newDialog(t, s, p.ID, b.ID)

	n, err := s.TrimEvents(ctx, utc(15))
	noErr(t, err)
	same(t, "trimmed", n, int64(2))
	first, err = s.FirstEventSeq(ctx, p.ID)
	noErr(t, err)
	same(t, "start after trimming", first, int64(3))
	same(t, "kept", eventSeqs(logged(t, s, p.ID, 0)), []int64{3})

	n, err = s.TrimEvents(ctx, utc(30))
	noErr(t, err)
	same(t, "trimmed all", n, int64(1))
	first, err = s.FirstEventSeq(ctx, p.ID)
	noErr(t, err)
	same(t, "start of a trimmed-out log", first, int64(4))
	_, err = s.FirstEventSeq(ctx, 999_999_999)
	wantCode(t, err, store.ENOTFOUND)
}

// testEventSeqConcurrent stores turns of many dialogs of one project at
// once: the project's events are numbered without a gap or a repeat.
func testEventSeqConcurrent(t *testing.T, s store.Store) {
	p := newProject(t, s)
	b := newBot(t, s, p.ID)
	const dialogs = 16
	ds := make([]*store.Dialog, dialogs)
	for i := range ds {
		ds[i] = newDialog(t, s, p.ID, b.ID)
	}
	var wg sync.WaitGroup
	errs := make(chan error, dialogs)
	for _, d := range ds {
		wg.Go(func() {
			for seq := int64(1); seq <= 5; seq++ {
				st := turnState(d, seq+1, nil)
				if err := s.SaveTurn(t.Context(), store.Turn{Messages: []store.Message{message(d, seq, "hi")}, State: &st}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		noErr(t, err)
	}
	evs := logged(t, s, p.ID, 0)
	// dialogs created, then per dialog 5 messages and one status change.
	if want := dialogs + dialogs*6; len(evs) != want {
		t.Fatalf("%d events, want %d", len(evs), want)
	}
	for i, ev := range evs {
		if ev.Seq != int64(i+1) {
			t.Fatalf("event %d has seq %d: the numbering has a gap or a repeat", i+1, ev.Seq)
		}
	}
}
