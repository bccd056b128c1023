package storetest

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/parleyhq/parley/store"
)

func testCreateDialog(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, other := newProject(t, s), newProject(t, s)
	b := newBot(t, s, p.ID)
	t.Run("ok", func(t *testing.T) {
		last := utc(1)
		d := &store.Dialog{ProjectID: p.ID, ExternalID: "thread-1", UserID: "user-42", Source: "web", IP: "192.0.2.1", Location: "Berlin",
			User: map[string]any{"id": "user-42", "name": "Ann Lee", "email": "ann@example.com"},
			DialogState: store.DialogState{StateSeq: 1, BotID: b.ID, Version: 1, Status: store.StatusCreated,
				Mode: store.ModeAuto, Node: "start", Variables: map[string]any{"name": "Ann"}, PendingCount: 2,
				Title: "Hello", LastUserAt: &last, StoredThrough: 7}}
		noErr(t, s.CreateDialog(ctx, d))
		if d.ID == 0 || d.DialogID != d.ID || d.Number != 1 {
			t.Errorf("dialog id %d, DialogID %d, number %d; want an id, DialogID equal to it, number 1", d.ID, d.DialogID, d.Number)
		}
		// The created dialog is turn 1, stored; the caller's 7 is ignored.
		if d.StoredThrough != 1 {
			t.Errorf("StoredThrough %d, want 1 (StateSeq)", d.StoredThrough)
		}
		if _, err := uuid.Parse(d.UUID); err != nil {
			t.Errorf("dialog UUID %q: %v", d.UUID, err)
		}
		inUTC(t, "CreatedAt", d.CreatedAt)
		if !d.UpdatedAt.Equal(d.CreatedAt) {
			t.Errorf("UpdatedAt %v, want CreatedAt %v", d.UpdatedAt, d.CreatedAt)
		}
		got, err := s.Dialog(ctx, p.ID, d.UUID)
		noErr(t, err)
		same(t, "Dialog", got, d)
		got, err = s.DialogByID(ctx, p.ID, d.ID)
		noErr(t, err)
		same(t, "DialogByID", got, d)
		got, err = s.DialogByNumber(ctx, p.ID, d.Number)
		noErr(t, err)
		same(t, "DialogByNumber", got, d)
		if _, err := s.DialogByNumber(ctx, other.ID, d.Number); store.ErrorCode(err) != store.ENOTFOUND {
			t.Errorf("another project's DialogByNumber: %v, want ENOTFOUND", err)
		}
	})
	t.Run("without a bot", func(t *testing.T) {
		d := newDialog(t, s, p.ID, 0)
		got, err := s.DialogByID(ctx, p.ID, d.ID)
		noErr(t, err)
		same(t, "DialogByID", got, d)
	})
	t.Run("given UUID kept in canonical form", func(t *testing.T) {
		id := uuid.NewString()
		d := &store.Dialog{ProjectID: p.ID, UUID: strings.ToUpper(id)}
		noErr(t, s.CreateDialog(ctx, d))
		if d.UUID != id {
			t.Errorf("UUID %q, want %q", d.UUID, id)
		}
		got, err := s.Dialog(ctx, p.ID, id)
		noErr(t, err)
		same(t, "Dialog", got, d)
	})
	taken := newDialog(t, s, p.ID, b.ID)
	for _, c := range []struct {
		name string
		d    store.Dialog
		code string
	}{
		{"UUID taken", store.Dialog{ProjectID: p.ID, UUID: taken.UUID}, store.ECONFLICT},
		{"UUID taken in another project", store.Dialog{ProjectID: other.ID, UUID: taken.UUID}, store.ECONFLICT},
		{"not a UUID", store.Dialog{ProjectID: p.ID, UUID: "thread-1"}, store.EINVALID},
		{"unknown project", store.Dialog{ProjectID: 999_999}, store.ENOTFOUND},
		{"unknown bot", store.Dialog{ProjectID: p.ID, DialogState: store.DialogState{BotID: 999_999}}, store.ENOTFOUND},
		{"another project's bot", store.Dialog{ProjectID: other.ID, DialogState: store.DialogState{BotID: b.ID}}, store.ENOTFOUND},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := c.d
			wantCode(t, s.CreateDialog(ctx, &d), c.code)
			if d.ID != 0 || d.Number != 0 {
				t.Errorf("failed create filled in id %d, number %d", d.ID, d.Number)
			}
		})
	}
	t.Run("failures use up no number", func(t *testing.T) {
		next := newDialog(t, s, p.ID, b.ID)
		if next.Number != taken.Number+1 {
			t.Errorf("number %d after %d, want %d", next.Number, taken.Number, taken.Number+1)
		}
		if d := newDialog(t, s, other.ID, 0); d.Number != 1 {
			t.Errorf("first number in the other project %d, want 1", d.Number)
		}
	})
}

func testDialogNumbers(t *testing.T, s store.Store) {
	ctx := t.Context()
	t.Run("bots and dialogs share one id sequence", func(t *testing.T) {
		p := newProject(t, s)
		seen := map[int64]string{}
		for i := range 4 {
			b := newBot(t, s, p.ID)
			d := newDialog(t, s, p.ID, b.ID)
			for what, id := range map[string]int64{"bot": b.ID, "dialog": d.ID} {
				if prev, ok := seen[id]; ok {
					t.Errorf("round %d: %s got id %d, already a %s's", i, what, id, prev)
				}
				seen[id] = what
			}
		}
	})
	t.Run("numbers are per project", func(t *testing.T) {
		p, q := newProject(t, s), newProject(t, s)
		var got []int64
		for _, pid := range []int64{p.ID, q.ID, p.ID, p.ID, q.ID} {
			got = append(got, newDialog(t, s, pid, 0).Number)
		}
		same(t, "numbers", got, []int64{1, 1, 2, 3, 2})
	})
	t.Run("concurrent numbers are unique and gapless", func(t *testing.T) {
		p := newProject(t, s)
		const n = 20
		numbers, ids := make([]int64, n), make([]int64, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				d := &store.Dialog{ProjectID: p.ID}
				if err := s.CreateDialog(ctx, d); err != nil {
					t.Error(err)
					return
				}
				numbers[i], ids[i] = d.Number, d.ID
			})
		}
		wg.Wait()
		slices.Sort(numbers)
		want := make([]int64, n)
		for i := range want {
			want[i] = int64(i + 1)
		}
		same(t, "numbers", numbers, want)
		slices.Sort(ids)
		if len(slices.Compact(ids)) != n {
			t.Errorf("ids %v are not unique", ids)
		}
	})
}

func testDialogLookups(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, other := newProject(t, s), newProject(t, s)
	b := newBot(t, s, p.ID)
	d := newDialog(t, s, p.ID, b.ID)
	for _, c := range []struct {
		name    string
		project int64
		uuid    string
	}{
		{"another project's dialog by UUID", other.ID, d.UUID},
		{"unknown UUID", p.ID, uuid.NewString()},
		{"not a UUID", p.ID, "42"},
		{"empty UUID", p.ID, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.Dialog(ctx, c.project, c.uuid)
			wantCode(t, err, store.ENOTFOUND)
		})
	}
	t.Run("UUID in upper case", func(t *testing.T) {
		got, err := s.Dialog(ctx, p.ID, strings.ToUpper(d.UUID))
		noErr(t, err)
		same(t, "Dialog", got, d)
	})
	for _, c := range []struct {
		name        string
		project, id int64
	}{
		{"another project's dialog by id", other.ID, d.ID},
		{"unknown id", p.ID, 999_999},
		{"a bot's id", p.ID, b.ID},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.DialogByID(ctx, c.project, c.id)
			wantCode(t, err, store.ENOTFOUND)
		})
	}
}
