package storetest

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/parleyhq/parley/store"
)

// testSaveTurn checks that SaveTurn is AppendMessages, AppendData and
// SaveDialogState in one transaction: their rules, and all or nothing.
func testSaveTurn(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, other := newProject(t, s), newProject(t, s)
	b, foreign := newBot(t, s, p.ID), newBot(t, s, other.ID)
	// stored is what a dialog holds.
	type stored struct {
		Dialog   *store.Dialog
		Messages []store.Message
		Data     []store.DataItem
	}
	load := func(t *testing.T, d *store.Dialog) stored {
		t.Helper()
		got, err := s.DialogByID(ctx, p.ID, d.ID)
		noErr(t, err)
		msgs, err := s.Messages(ctx, d.ID)
		noErr(t, err)
		data, err := s.Data(ctx, d.ID)
		noErr(t, err)
		return stored{got, msgs, data}
	}
	item := func(d *store.Dialog, seq int64, answer string) store.DataItem {
		return store.DataItem{DialogID: d.ID, Seq: seq, Question: "Name?", Type: "text", Answer: answer, Variable: "name", CreatedAt: at(int(seq))}
	}
	state := func(d *store.Dialog, seq int64, node string) store.DialogState {
		last := utc(int(seq))
		return store.DialogState{DialogID: d.ID, StateSeq: seq, BotID: b.ID, Version: 1, Status: store.StatusInProcess,
			Mode: store.ModeAuto, Node: node, Variables: map[string]any{"name": "Ann"}, LastUserAt: &last, UpdatedAt: utc(int(seq))}
	}
	// with is d with its state replaced and every turn up to through
	// stored, as the store returns it.
	with := func(d *store.Dialog, st store.DialogState, through int64) *store.Dialog {
		want := *d
		want.DialogState = st
		want.StoredThrough = through
		return &want
	}

	d := newDialog(t, s, p.ID, b.ID)
	m1, m2, m3, m4 := message(d, 1, "Hi"), message(d, 2, "Name?"), message(d, 4, "Thanks"), message(d, 5, "Bye")
	i3 := item(d, 3, "Ann")
	s1, s2 := state(d, 1, "ask"), state(d, 2, "thanks")

	t.Run("stores messages, data and state", func(t *testing.T) {
		noErr(t, s.SaveTurn(ctx, store.Turn{Messages: []store.Message{m2, m1}, State: &s1}))
		noErr(t, s.SaveTurn(ctx, store.Turn{Messages: []store.Message{m3}, Data: []store.DataItem{i3}, State: &s2}))
		same(t, "stored", load(t, d), stored{with(d, s2, 2), storedMessages(m1, m2, m3), storedData(i3)})
	})
	t.Run("retry skipped", func(t *testing.T) {
		before := load(t, d)
		retry, retryItem, retryState := m3, i3, s2
		retry.Text, retryItem.Answer, retryState.Node = "changed", "Bob", "changed"
		noErr(t, s.SaveTurn(ctx, store.Turn{Messages: []store.Message{retry}, Data: []store.DataItem{retryItem}, State: &retryState}))
		same(t, "stored", load(t, d), before)
	})
	t.Run("older state ignored, messages and data stored", func(t *testing.T) {
		// A late retry of turn 1 carrying a message turn 2 did not store.
		before := load(t, d)
		i6, old := item(d, 6, "late"), s1
		noErr(t, s.SaveTurn(ctx, store.Turn{Messages: []store.Message{m4}, Data: []store.DataItem{i6}, State: &old}))
		same(t, "stored", load(t, d), stored{before.Dialog, storedMessages(m1, m2, m3, m4), storedData(i3, i6)})
	})
	t.Run("without state", func(t *testing.T) {
		before := load(t, d)
		m7 := message(d, 7, "no state")
		noErr(t, s.SaveTurn(ctx, store.Turn{Messages: []store.Message{m7}}))
		got := load(t, d)
		same(t, "dialog", got.Dialog, before.Dialog)
		same(t, "messages", got.Messages, append(before.Messages, storedMessages(m7)...))
	})
	t.Run("state only", func(t *testing.T) {
		s3 := state(d, 3, "state only")
		s3.UpdatedAt = utc(30)
		before := load(t, d)
		noErr(t, s.SaveTurn(ctx, store.Turn{State: &s3}))
		same(t, "stored", load(t, d), stored{with(d, s3, 3), before.Messages, before.Data})
	})
	t.Run("empty", func(t *testing.T) {
		before := load(t, d)
		noErr(t, s.SaveTurn(ctx, store.Turn{}))
		noErr(t, s.SaveTurn(ctx, store.Turn{Messages: []store.Message{}, Data: []store.DataItem{}}))
		same(t, "stored", load(t, d), before)
	})
	t.Run("caller's turn unchanged", func(t *testing.T) {
		// The store cleans and converts a copy, not the caller's state.
		last := at(4)
		st := store.DialogState{DialogID: d.ID, StateSeq: 4, BotID: b.ID, Node: "a\x00b", LastUserAt: &last}
		orig := st
		noErr(t, s.SaveTurn(ctx, store.Turn{State: &st}))
		same(t, "state", st, orig)
		same(t, "LastUserAt", last, at(4))
	})

	// Every failure stores nothing of the turn: not the messages and data
	// before the failing part, nor the state after it.
	for _, c := range []struct {
		name string
		code string
		turn func(d *store.Dialog) store.Turn
	}{
		{"message of an unknown dialog", store.ENOTFOUND, func(d *store.Dialog) store.Turn {
			lost := message(d, 2, "lost")
			lost.DialogID = 999_999
			st := state(d, 9, "lost")
			return store.Turn{Messages: []store.Message{message(d, 1, "x"), lost}, Data: []store.DataItem{item(d, 3, "x")}, State: &st}
		}},
		{"data of an unknown dialog", store.ENOTFOUND, func(d *store.Dialog) store.Turn {
			lost := item(d, 3, "lost")
			lost.DialogID = 999_999
			st := state(d, 9, "lost")
			return store.Turn{Messages: []store.Message{message(d, 1, "x")}, Data: []store.DataItem{item(d, 2, "x"), lost}, State: &st}
		}},
		{"state of an unknown dialog", store.ENOTFOUND, func(d *store.Dialog) store.Turn {
			st := state(d, 9, "lost")
			st.DialogID = 999_999
			return store.Turn{Messages: []store.Message{message(d, 1, "x")}, Data: []store.DataItem{item(d, 2, "x")}, State: &st}
		}},
		{"state with an unknown bot", store.ENOTFOUND, func(d *store.Dialog) store.Turn {
			st := state(d, 9, "lost")
			st.BotID = 999_999
			return store.Turn{Messages: []store.Message{message(d, 1, "x")}, Data: []store.DataItem{item(d, 2, "x")}, State: &st}
		}},
		{"state with another project's bot", store.ENOTFOUND, func(d *store.Dialog) store.Turn {
			st := state(d, 9, "lost")
			st.BotID = foreign.ID
			return store.Turn{Messages: []store.Message{message(d, 1, "x")}, State: &st}
		}},
		{"message ID used at another Seq", store.ECONFLICT, func(d *store.Dialog) store.Turn {
			dup := message(d, 2, "dup")
			dup.ID = m1.ID
			st := state(d, 9, "lost")
			return store.Turn{Messages: []store.Message{message(d, 1, "x"), dup}, Data: []store.DataItem{item(d, 3, "x")}, State: &st}
		}},
	} {
		t.Run(c.name+" stores nothing", func(t *testing.T) {
			fresh := newDialog(t, s, p.ID, b.ID)
			before := load(t, fresh)
			wantCode(t, s.SaveTurn(ctx, c.turn(fresh)), c.code)
			same(t, "stored", load(t, fresh), before)
		})
	}

	t.Run("a turn that moves the dialog to another bot of its project", func(t *testing.T) {
		moved := newDialog(t, s, p.ID, b.ID)
		next := newBot(t, s, p.ID)
		st := state(moved, 2, "start") // turn 1 is not stored: nothing is through
		st.BotID = next.ID
		noErr(t, s.SaveTurn(ctx, store.Turn{Messages: []store.Message{message(moved, 1, "Hi")}, State: &st}))
		same(t, "stored", load(t, moved), stored{with(moved, st, 0), storedMessages(message(moved, 1, "Hi")), []store.DataItem{}})
		// A later turn on the same bot keeps it.
		st3 := state(moved, 3, "ask")
		st3.BotID = next.ID
		noErr(t, s.SaveTurn(ctx, store.Turn{State: &st3}))
		same(t, "bot after the next turn", load(t, moved).Dialog.BotID, next.ID)
	})

	t.Run("concurrent turns of one dialog", func(t *testing.T) {
		// Turns 1..n and a retry of each, in random order, at once: every
		// message and item is stored once, the newest state wins and
		// every turn is marked stored.
		dc := newDialog(t, s, p.ID, b.ID)
		const n = 10
		turn := func(k int64) store.Turn {
			st := state(dc, k, fmt.Sprint("node", k))
			return store.Turn{Messages: []store.Message{message(dc, 3*k-2, "q"), message(dc, 3*k, "a")},
				Data: []store.DataItem{item(dc, 3*k-1, "x")}, State: &st}
		}
		order := rand.Perm(2 * n)
		var wg sync.WaitGroup
		for _, i := range order {
			wg.Go(func() {
				if err := s.SaveTurn(ctx, turn(int64(i%n)+1)); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		var msgs []store.Message
		var data []store.DataItem
		for k := range int64(n) {
			tk := turn(k + 1)
			msgs = append(msgs, tk.Messages...)
			data = append(data, tk.Data...)
		}
		same(t, "stored", load(t, dc), stored{with(dc, *turn(n).State, n), storedMessages(msgs...), storedData(data...)})
	})
	t.Run("concurrent turns of many dialogs", func(t *testing.T) {
		// Each goroutine stores its own dialog's turns in order.
		const dialogs, turns = 8, 5
		ds := make([]*store.Dialog, dialogs)
		for i := range ds {
			ds[i] = newDialog(t, s, p.ID, b.ID)
		}
		turn := func(d *store.Dialog, k int64) store.Turn {
			st := state(d, k, fmt.Sprint("node", k))
			return store.Turn{Messages: []store.Message{message(d, 2*k-1, "q")}, Data: []store.DataItem{item(d, 2*k, "x")}, State: &st}
		}
		var wg sync.WaitGroup
		for _, d := range ds {
			wg.Go(func() {
				for k := range int64(turns) {
					if err := s.SaveTurn(ctx, turn(d, k+1)); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		for _, d := range ds {
			var msgs []store.Message
			var data []store.DataItem
			for k := range int64(turns) {
				tk := turn(d, k+1)
				msgs = append(msgs, tk.Messages...)
				data = append(data, tk.Data...)
			}
			same(t, fmt.Sprint("dialog ", d.ID), load(t, d), stored{with(d, *turn(d, turns).State, turns), storedMessages(msgs...), storedData(data...)})
		}
	})
}
