package storetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/parleyhq/parley/store"
)

// watermark is a dialog's turns as the tests store them: turn k carries the
// message of Seq k and the state of StateSeq k, and a dialog starts at
// turn 1, as the engine creates it.
type watermark struct {
	s     store.Store
	p     *store.Project
	botID int64
}

func newWatermark(t testing.TB, s store.Store) *watermark {
	p := newProject(t, s)
	return &watermark{s: s, p: p, botID: newBot(t, s, p.ID).ID}
}

// dialog creates a dialog of the project at turn seq.
func (w *watermark) dialog(t testing.TB, seq int64) *store.Dialog {
	t.Helper()
	d := &store.Dialog{ProjectID: w.p.ID, Source: "api", DialogState: store.DialogState{StateSeq: seq, BotID: w.botID,
		Version: 1, Status: store.StatusCreated, Mode: store.ModeAuto}}
	noErr(t, w.s.CreateDialog(t.Context(), d))
	return d
}

// state is the state turn k leaves d in.
func (w *watermark) state(d *store.Dialog, k int64) *store.DialogState {
	return &store.DialogState{DialogID: d.ID, StateSeq: k, BotID: w.botID, Version: 1, Status: store.StatusInProcess,
		Mode: store.ModeAuto, Node: fmt.Sprint("node", k), Variables: map[string]any{}, UpdatedAt: utc(int(k % 60))}
}

// turn is turn k of d alone, as the HTTP layer stores it.
func (w *watermark) turn(d *store.Dialog, k int64) store.Turn {
	return store.Turn{Messages: []store.Message{message(d, k, fmt.Sprint("turn ", k))}, State: w.state(d, k)}
}

// batch is every turn of d up to k, as the workflow stores them.
func (w *watermark) batch(d *store.Dialog, k int64) store.Turn {
	t := store.Turn{State: w.state(d, k), Through: true}
	for i := int64(2); i <= k; i++ {
		t.Messages = append(t.Messages, message(d, i, fmt.Sprint("turn ", i)))
	}
	return t
}

// through returns d's watermark, as both lookups return it.
func (w *watermark) through(t *testing.T, d *store.Dialog) int64 {
	t.Helper()
	byID, err := w.s.DialogByID(t.Context(), d.ProjectID, d.ID)
	noErr(t, err)
	byUUID, err := w.s.Dialog(t.Context(), d.ProjectID, d.UUID)
	noErr(t, err)
	if byID.StoredThrough != byUUID.StoredThrough {
		t.Errorf("DialogByID says StoredThrough %d, Dialog %d", byID.StoredThrough, byUUID.StoredThrough)
	}
	return byID.StoredThrough
}

// step is one SaveTurn of a watermark test and the watermark it leaves.
type step struct {
	seq     int64
	through bool // a batch up to seq
	want    int64
}

func (s step) String() string {
	if s.through {
		return fmt.Sprintf("turns up to %d", s.seq)
	}
	return fmt.Sprintf("turn %d", s.seq)
}

// run stores the steps' turns in order, checking the watermark after each.
func (w *watermark) run(t *testing.T, d *store.Dialog, steps ...step) {
	t.Helper()
	for _, st := range steps {
		turn := w.turn(d, st.seq)
		if st.through {
			turn = w.batch(d, st.seq)
		}
		noErr(t, w.s.SaveTurn(t.Context(), turn))
		if got := w.through(t, d); got != st.want {
			t.Fatalf("after %v: StoredThrough %d, want %d", st, got, st.want)
		}
	}
}

// testWatermark checks StoredThrough: up to which turn every turn of a
// dialog is stored, as SaveTurn's single turns (in any order) and batches
// mark them.
func testWatermark(t *testing.T, s store.Store) {
	ctx := t.Context()
	w := newWatermark(t, s)

	t.Run("created dialog", func(t *testing.T) {
		for _, seq := range []int64{1, 0, 5} {
			d := w.dialog(t, seq)
			if d.StoredThrough != seq {
				t.Errorf("created at StateSeq %d: StoredThrough %d, want %d", seq, d.StoredThrough, seq)
			}
			if got := w.through(t, d); got != seq {
				t.Errorf("created at StateSeq %d: lookups say StoredThrough %d, want %d", seq, got, seq)
			}
		}
	})
	t.Run("in order", func(t *testing.T) {
		w.run(t, w.dialog(t, 1), step{2, false, 2}, step{3, false, 3}, step{4, false, 4})
	})
	t.Run("from a dialog created at 0", func(t *testing.T) {
		w.run(t, w.dialog(t, 0), step{2, false, 0}, step{1, false, 2})
	})
	t.Run("out of order", func(t *testing.T) {
		w.run(t, w.dialog(t, 1), step{3, false, 1}, step{2, false, 3})
	})
	t.Run("gap stays until filled", func(t *testing.T) {
		w.run(t, w.dialog(t, 1), step{2, false, 2}, step{4, false, 2}, step{5, false, 2}, step{3, false, 5})
	})
	t.Run("remembered turns in any order", func(t *testing.T) {
		w.run(t, w.dialog(t, 1), step{5, false, 1}, step{3, false, 1}, step{2, false, 3}, step{4, false, 5})
	})
	t.Run("reverse order", func(t *testing.T) {
		w.run(t, w.dialog(t, 1), step{6, false, 1}, step{5, false, 1}, step{4, false, 1}, step{3, false, 1}, step{2, false, 6})
	})
	t.Run("batch jumps", func(t *testing.T) {
		w.run(t, w.dialog(t, 1), step{4, true, 4}, step{5, false, 5})
	})
	t.Run("batch forgets remembered turns below it and takes in those just above", func(t *testing.T) {
		// 3 is below the batch: forgotten, it cannot hold the watermark
		// back. 5 follows the batch without a gap, so every turn up to 5
		// is stored; 7 waits for 6.
		d := w.dialog(t, 1)
		w.run(t, d, step{3, false, 1}, step{5, false, 1}, step{7, false, 1},
			step{4, true, 5}, step{6, false, 7}, step{8, false, 8})
		msgs, err := s.Messages(ctx, d.ID)
		noErr(t, err)
		if len(msgs) != 7 {
			t.Errorf("%d messages stored, want 7 (turns 2 to 8)", len(msgs))
		}
	})
	t.Run("batch below the watermark changes nothing", func(t *testing.T) {
		w.run(t, w.dialog(t, 1), step{2, false, 2}, step{3, false, 3}, step{2, true, 3}, step{3, true, 3}, step{1, true, 3})
	})
	t.Run("retries change nothing", func(t *testing.T) {
		d := w.dialog(t, 1)
		w.run(t, d, step{2, false, 2}, step{2, false, 2}, step{4, false, 2}, step{4, false, 2},
			step{3, false, 4}, step{3, false, 4}, step{4, false, 4}, step{4, true, 4}, step{4, true, 4}, step{2, false, 4})
		msgs, err := s.Messages(ctx, d.ID)
		noErr(t, err)
		if len(msgs) != 3 {
			t.Errorf("%d messages stored, want 3 (turns 2 to 4, once each)", len(msgs))
		}
	})
	t.Run("older state still completes the watermark", func(t *testing.T) {
		d := w.dialog(t, 1)
		w.run(t, d, step{3, false, 1})
		before, err := s.DialogByID(ctx, w.p.ID, d.ID)
		noErr(t, err)
		w.run(t, d, step{2, false, 3})
		want := *before
		want.StoredThrough = 3
		got, err := s.DialogByID(ctx, w.p.ID, d.ID)
		noErr(t, err)
		same(t, "dialog (state of turn 3, every turn up to 3 stored)", got, &want)
	})
	t.Run("state, messages or data alone leave it", func(t *testing.T) {
		d := w.dialog(t, 1)
		noErr(t, s.SaveDialogState(ctx, *w.state(d, 2)))
		noErr(t, s.AppendMessages(ctx, w.turn(d, 2).Messages))
		noErr(t, s.AppendData(ctx, []store.DataItem{{DialogID: d.ID, Seq: 100, CreatedAt: at(1)}}))
		noErr(t, s.SaveTurn(ctx, store.Turn{Messages: w.batch(d, 3).Messages, Through: true})) // no state
		got, err := s.DialogByID(ctx, w.p.ID, d.ID)
		noErr(t, err)
		if got.StateSeq != 2 || got.StoredThrough != 1 {
			t.Errorf("StateSeq %d, StoredThrough %d; want 2, 1", got.StateSeq, got.StoredThrough)
		}
		// The turn's own SaveTurn marks it, though its state is stored.
		w.run(t, d, step{2, false, 2})
	})
	t.Run("failed turn marks nothing", func(t *testing.T) {
		d := w.dialog(t, 1)
		for _, turn := range []store.Turn{w.turn(d, 3), w.turn(d, 2), w.batch(d, 4)} {
			turn.State.BotID = 999_999
			wantCode(t, s.SaveTurn(ctx, turn), store.ENOTFOUND)
		}
		if got := w.through(t, d); got != 1 {
			t.Fatalf("StoredThrough %d after failed turns, want 1", got)
		}
		// Turn 3 was not remembered: turn 2 raises the watermark to 2 only.
		w.run(t, d, step{2, false, 2})
	})
	t.Run("dialogs kept apart", func(t *testing.T) {
		d1, d2 := w.dialog(t, 1), w.dialog(t, 1)
		w.run(t, d1, step{3, false, 1})
		w.run(t, d2, step{2, false, 2}, step{4, false, 2})
		w.run(t, d1, step{2, false, 3})
		w.run(t, d2, step{5, true, 5})
		if got := w.through(t, d1); got != 3 {
			t.Errorf("first dialog's StoredThrough %d, want 3", got)
		}
	})
	t.Run("another project's lookups", func(t *testing.T) {
		ow := newWatermark(t, s)
		od := ow.dialog(t, 1)
		ow.run(t, od, step{2, false, 2})
		want, err := s.DialogByID(ctx, od.ProjectID, od.ID)
		noErr(t, err)
		d := w.dialog(t, 1)
		w.run(t, d, step{3, false, 1}, step{2, false, 3}, step{5, true, 5})
		got, err := s.Dialog(ctx, od.ProjectID, od.UUID)
		noErr(t, err)
		same(t, "other project's dialog", got, want)
		_, err = s.Dialog(ctx, od.ProjectID, d.UUID)
		wantCode(t, err, store.ENOTFOUND)
		_, err = s.DialogByID(ctx, od.ProjectID, d.ID)
		wantCode(t, err, store.ENOTFOUND)
	})
	t.Run("concurrent single turns in random order", func(t *testing.T) {
		// Turns 2..n and a retry of each, at once, in random order: every
		// turn ends up stored, and so the watermark at n.
		const n = 30
		d := w.dialog(t, 1)
		var wg sync.WaitGroup
		for _, i := range rand.Perm(2 * (n - 1)) {
			wg.Go(func() {
				if err := s.SaveTurn(ctx, w.turn(d, int64(i%(n-1))+2)); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		got, err := s.DialogByID(ctx, w.p.ID, d.ID)
		noErr(t, err)
		if got.StoredThrough != n || got.StateSeq != n {
			t.Errorf("StoredThrough %d, StateSeq %d; want %d, %d", got.StoredThrough, got.StateSeq, n, n)
		}
	})
	t.Run("concurrent single turns and batches", func(t *testing.T) {
		// The HTTP layer's turns 2..n and the workflow's batches up to
		// every fifth turn, at once.
		const n = 30
		d := w.dialog(t, 1)
		var turns []store.Turn
		for k := int64(2); k <= n; k++ {
			turns = append(turns, w.turn(d, k))
			if k%5 == 0 {
				turns = append(turns, w.batch(d, k))
			}
		}
		var wg sync.WaitGroup
		for _, i := range rand.Perm(len(turns)) {
			wg.Go(func() {
				if err := s.SaveTurn(ctx, turns[i]); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if got := w.through(t, d); got != n {
			t.Errorf("StoredThrough %d, want %d", got, n)
		}
	})
	t.Run("random sequences match a model", func(t *testing.T) {
		// The watermark is the greatest w such that every turn up to w
		// was stored: at creation, alone or in a batch.
		for range 4 {
			d := w.dialog(t, 1)
			stored := map[int64]bool{1: true}
			var steps []step
			for range 12 {
				st := step{seq: rand.Int64N(10) + 1, through: rand.IntN(6) == 0}
				for k := int64(1); k <= st.seq; k++ {
					if k == st.seq || st.through {
						stored[k] = true
					}
				}
				for stored[st.want+1] {
					st.want++
				}
				steps = append(steps, st)
			}
			t.Run(fmt.Sprint(steps), func(t *testing.T) { w.run(t, d, steps...) })
		}
	})
}

// Remembered checks, with a look into the store's table of turns stored out
// of order, that it holds exactly the turns above the watermark: a turn
// below it is forgotten as the watermark passes it. remembered lists a
// dialog's turns in the table in ascending order. Implementations call it
// from a test of their own, as the table is not part of store.Store.
func Remembered(t *testing.T, s store.Store, remembered func(t *testing.T, dialogID int64) []int64) {
	w := newWatermark(t, s)
	d := w.dialog(t, 1)
	for _, c := range []struct {
		step
		remembered []int64
	}{
		{step{2, false, 2}, nil},
		{step{4, false, 2}, []int64{4}},
		{step{6, false, 2}, []int64{4, 6}},
		{step{9, false, 2}, []int64{4, 6, 9}},
		{step{6, false, 2}, []int64{4, 6, 9}},
		{step{3, false, 4}, []int64{6, 9}},
		{step{7, true, 7}, []int64{9}},
		{step{8, false, 9}, nil},
		{step{11, false, 9}, []int64{11}},
		{step{12, true, 12}, nil},
	} {
		w.run(t, d, c.step)
		if got := remembered(t, d.ID); !slices.Equal(got, c.remembered) {
			t.Fatalf("after %v: turns remembered %v, want %v", c.step, got, c.remembered)
		}
	}
}
