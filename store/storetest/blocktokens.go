package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/store"
)

func testBlockTokens(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, other := newProject(t, s), newProject(t, s)
	b := newBot(t, s, p.ID)
	d, foreign := newDialog(t, s, p.ID, b.ID), newDialog(t, s, other.ID, 0)
	binding := func(node string, attempt int) store.BlockToken {
		return store.BlockToken{ProjectID: p.ID, DialogID: d.ID, Node: node, Attempt: attempt, ExpiresAt: at(30)}
	}
	save := func(t *testing.T, token string, bt store.BlockToken) *store.BlockToken {
		t.Helper()
		got, err := s.SaveBlockToken(ctx, token, bt)
		noErr(t, err)
		return got
	}

	t.Run("saved and looked up", func(t *testing.T) {
		// The store fills in ID and CreatedAt, and ignores the caller's
		// CompletedAt.
		done := utc(1)
		bt := binding("crm", 2)
		bt.ID, bt.CompletedAt, bt.CreatedAt = 42, &done, utc(2)
		got := save(t, unique("token-saved"), bt)
		if got.ID == 0 || got.ProjectID != p.ID || got.DialogID != d.ID || got.Node != "crm" || got.Attempt != 2 ||
			!got.ExpiresAt.Equal(utc(30)) || got.ExpiresAt.Location() != time.UTC || got.CompletedAt != nil {
			t.Errorf("saved %s; want an id, project %d, dialog %d, node crm, attempt 2, expiring %v in UTC, not completed",
				show(got), p.ID, d.ID, utc(30))
		}
		inUTC(t, "CreatedAt", got.CreatedAt)
		if got.CreatedAt.Equal(utc(2)) {
			t.Errorf("CreatedAt %v is the caller's", got.CreatedAt)
		}
	})
	t.Run("round trip", func(t *testing.T) {
		token := unique("token-round-trip")
		saved := save(t, token, binding("crm", 1))
		got, err := s.BlockTokenByToken(ctx, token)
		noErr(t, err)
		same(t, "BlockTokenByToken", got, saved)
		same(t, "binding", store.BlockToken{ProjectID: got.ProjectID, DialogID: got.DialogID, Node: got.Node,
			Attempt: got.Attempt, ExpiresAt: got.ExpiresAt}, store.BlockToken{ProjectID: p.ID, DialogID: d.ID,
			Node: "crm", Attempt: 1, ExpiresAt: utc(30)})
	})
	t.Run("every token its own record", func(t *testing.T) {
		a, c := save(t, unique("token-a"), binding("crm", 1)), save(t, unique("token-b"), binding("crm", 1))
		if a.ID == c.ID {
			t.Errorf("two tokens share id %d", a.ID)
		}
	})
	t.Run("saved again is a no-op", func(t *testing.T) {
		token := unique("token-again")
		first := save(t, token, binding("crm", 3))
		again := binding("crm", 3)
		again.ExpiresAt = at(45) // a retry's later clock changes nothing
		same(t, "saved again", save(t, token, again), first)
		got, err := s.BlockTokenByToken(ctx, token)
		noErr(t, err)
		same(t, "BlockTokenByToken", got, first)
	})
	t.Run("concurrent saves of one token", func(t *testing.T) {
		token := unique("token-concurrent-save")
		const n = 10
		got := make([]*store.BlockToken, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				var err error
				if got[i], err = s.SaveBlockToken(ctx, token, binding("crm", 1)); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		for i := 1; i < n && got[0] != nil && got[i] != nil; i++ {
			same(t, "concurrent save", got[i], got[0])
		}
	})
	for _, c := range []struct {
		name  string
		token string
		bt    store.BlockToken
		code  string
	}{
		{"empty token", "", binding("crm", 1), store.EINVALID},
		{"no expiry", unique("token-no-expiry"), store.BlockToken{ProjectID: p.ID, DialogID: d.ID, Node: "crm", Attempt: 1}, store.EINVALID},
		{"another project's dialog", unique("token-foreign"), store.BlockToken{ProjectID: p.ID, DialogID: foreign.ID, Node: "crm", ExpiresAt: at(30)}, store.ENOTFOUND},
		{"dialog of another project", unique("token-other"), store.BlockToken{ProjectID: other.ID, DialogID: d.ID, Node: "crm", ExpiresAt: at(30)}, store.ENOTFOUND},
		{"unknown dialog", unique("token-unknown-dialog"), store.BlockToken{ProjectID: p.ID, DialogID: 999_999, Node: "crm", ExpiresAt: at(30)}, store.ENOTFOUND},
		{"unknown project", unique("token-unknown-project"), store.BlockToken{ProjectID: 999_999, DialogID: d.ID, Node: "crm", ExpiresAt: at(30)}, store.ENOTFOUND},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.SaveBlockToken(ctx, c.token, c.bt)
			wantCode(t, err, c.code)
			_, err = s.BlockTokenByToken(ctx, c.token)
			wantCode(t, err, store.EFORBIDDEN) // nothing stored
		})
	}
	t.Run("saved again for another block", func(t *testing.T) {
		token := unique("token-taken")
		first := save(t, token, binding("crm", 1))
		for _, bt := range []store.BlockToken{
			binding("crm", 2),
			binding("payment", 1),
			{ProjectID: p.ID, DialogID: newDialog(t, s, p.ID, b.ID).ID, Node: "crm", Attempt: 1, ExpiresAt: at(30)},
			{ProjectID: other.ID, DialogID: foreign.ID, Node: "crm", Attempt: 1, ExpiresAt: at(30)},
		} {
			_, err := s.SaveBlockToken(ctx, token, bt)
			wantCode(t, err, store.ECONFLICT)
		}
		got, err := s.BlockTokenByToken(ctx, token)
		noErr(t, err)
		same(t, "BlockTokenByToken", got, first)
	})
	t.Run("unknown token", func(t *testing.T) {
		token := unique("token-known")
		save(t, token, binding("crm", 1))
		for _, unknown := range []string{token + "x", token[1:], ""} {
			_, err := s.BlockTokenByToken(ctx, unknown)
			wantCode(t, err, store.EFORBIDDEN)
		}
	})

	t.Run("completed once", func(t *testing.T) {
		token := unique("token-complete")
		saved := save(t, token, binding("crm", 1))
		noErr(t, s.CompleteBlockToken(ctx, saved.ID))
		got, err := s.BlockTokenByToken(ctx, token)
		noErr(t, err)
		if got.CompletedAt == nil {
			t.Fatalf("CompletedAt nil after CompleteBlockToken")
		}
		inUTC(t, "CompletedAt", *got.CompletedAt)
		want := *saved
		want.CompletedAt = got.CompletedAt
		same(t, "completed", got, &want)

		wantCode(t, s.CompleteBlockToken(ctx, saved.ID), store.EFORBIDDEN)
		again, err := s.BlockTokenByToken(ctx, token)
		noErr(t, err)
		same(t, "after a refused completion", again, got)
		// A retried save returns the record, completed.
		same(t, "saved again after completion", save(t, token, binding("crm", 1)), got)
	})
	t.Run("concurrent completions: exactly one wins", func(t *testing.T) {
		saved := save(t, unique("token-race"), binding("crm", 1))
		const n = 20
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { errs[i] = s.CompleteBlockToken(ctx, saved.ID) })
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch store.ErrorCode(err) {
			case "":
				won++
			case store.EFORBIDDEN:
			default:
				t.Errorf("call %d: %v, want success or %s", i, err, store.EFORBIDDEN)
			}
		}
		if won != 1 {
			t.Errorf("%d of %d concurrent completions succeeded, want exactly 1", won, n)
		}
	})
	t.Run("completing one token leaves others", func(t *testing.T) {
		a, c := unique("token-one"), unique("token-two")
		sa, sc := save(t, a, binding("crm", 1)), save(t, c, binding("crm", 1))
		noErr(t, s.CompleteBlockToken(ctx, sa.ID))
		got, err := s.BlockTokenByToken(ctx, c)
		noErr(t, err)
		same(t, "other token", got, sc)
		noErr(t, s.CompleteBlockToken(ctx, sc.ID))
	})
	t.Run("unknown id", func(t *testing.T) {
		wantCode(t, s.CompleteBlockToken(ctx, 999_999), store.ENOTFOUND)
		wantCode(t, s.CompleteBlockToken(ctx, 0), store.ENOTFOUND)
	})
}
