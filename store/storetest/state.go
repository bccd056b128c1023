package storetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/store"
)

func testSaveDialogState(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, other := newProject(t, s), newProject(t, s)
	b, b2, foreign := newBot(t, s, p.ID), newBot(t, s, p.ID), newBot(t, s, other.ID)
	d := newDialog(t, s, p.ID, b.ID)
	load := func(t *testing.T) *store.Dialog {
		t.Helper()
		got, err := s.DialogByID(ctx, p.ID, d.ID)
		noErr(t, err)
		return got
	}
	last := utc(2)
	newer := store.DialogState{DialogID: d.ID, StateSeq: 5, BotID: b2.ID, Version: 3, Status: store.StatusInProcess,
		Mode: store.ModeOperator, Node: "ask", Variables: map[string]any{"n": 1.5}, PendingCount: 1, Title: "Refund",
		LastUserAt: &last, UpdatedAt: utc(3), StoredThrough: 42}
	t.Run("newer state saved", func(t *testing.T) {
		noErr(t, s.SaveDialogState(ctx, newer))
		want := *d
		want.DialogState = newer
		// The caller's StoredThrough is ignored, and a state alone marks
		// no turn stored.
		want.StoredThrough = d.StoredThrough
		same(t, "dialog", load(t), &want)
	})
	for _, c := range []struct {
		name string
		seq  int64
	}{
		{"same StateSeq ignored", 5},
		{"older StateSeq ignored", 4},
		{"zero StateSeq ignored", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := load(t)
			stale := newer
			stale.StateSeq, stale.Status, stale.LastUserAt = c.seq, store.StatusError, nil
			noErr(t, s.SaveDialogState(ctx, stale))
			same(t, "dialog", load(t), before)
		})
	}
	t.Run("zero UpdatedAt set to now", func(t *testing.T) {
		st := newer
		st.StateSeq, st.UpdatedAt, st.LastUserAt, st.BotID = 6, time.Time{}, nil, 0
		noErr(t, s.SaveDialogState(ctx, st))
		got := load(t)
		inUTC(t, "UpdatedAt", got.UpdatedAt)
		if got.LastUserAt != nil || got.BotID != 0 || got.StateSeq != 6 {
			t.Errorf("dialog = %+v, want StateSeq 6, no bot and no LastUserAt", got)
		}
	})
	t.Run("concurrent saves end with the newest", func(t *testing.T) {
		dc := newDialog(t, s, p.ID, b.ID)
		var wg sync.WaitGroup
		for seq := range int64(20) {
			wg.Go(func() {
				st := store.DialogState{DialogID: dc.ID, StateSeq: 20 - seq, Node: fmt.Sprint("node", 20-seq), UpdatedAt: utc(0)}
				if err := s.SaveDialogState(ctx, st); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		got, err := s.DialogByID(ctx, p.ID, dc.ID)
		noErr(t, err)
		if got.StateSeq != 20 || got.Node != "node20" {
			t.Errorf("StateSeq %d, node %q; want 20, node20", got.StateSeq, got.Node)
		}
	})
	for _, c := range []struct {
		name string
		st   store.DialogState
	}{
		{"unknown dialog", store.DialogState{DialogID: 999_999, StateSeq: 100}},
		{"unknown bot", store.DialogState{DialogID: d.ID, StateSeq: 100, BotID: 999_999}},
		{"another project's bot", store.DialogState{DialogID: d.ID, StateSeq: 100, BotID: foreign.ID}},
	} {
		t.Run(c.name, func(t *testing.T) {
			wantCode(t, s.SaveDialogState(ctx, c.st), store.ENOTFOUND)
		})
	}
}
