package server

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/sqlite"
)

// touchingStore counts the store's key-use writes and fails the next
// one when told to.
type touchingStore struct {
	store.Store
	touches *atomic.Int64
	fail    *atomic.Bool
}

func (s touchingStore) TouchAPIKey(ctx context.Context, keyID int64, at time.Time) error {
	s.touches.Add(1)
	if s.fail.CompareAndSwap(true, false) {
		return errors.New("disk full")
	}
	return s.Store.TouchAPIKey(ctx, keyID, at)
}

// keyUseFixture serves GET /who over loopback HTTP behind the real
// authentication, with a clock the test moves.
type keyUseFixture struct {
	db      store.Store
	url     string
	key     string
	keyID   int64
	basic   string
	now     time.Time
	touches atomic.Int64
	fail    atomic.Bool
}

func newKeyUseFixture(t *testing.T) *keyUseFixture {
	t.Helper()
	params := store.PasswordParams
	store.PasswordParams = store.Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	t.Cleanup(func() { store.PasswordParams = params })
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "parley.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	org, err := db.CreateOrganization(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	p, err := db.CreateProject(ctx, org.ID, "Support")
	if err != nil {
		t.Fatal(err)
	}
	f := &keyUseFixture{db: db, now: time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)}
	key, k, err := db.CreateAPIKey(ctx, p.ID, "ci")
	if err != nil {
		t.Fatal(err)
	}
	f.key, f.keyID = key, k.ID
	u, err := db.CreateUser(ctx, "ann@example.com", "Ann", "a password")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetMembership(ctx, p.ID, u.ID, store.RoleOwner); err != nil {
		t.Fatal(err)
	}
	f.basic = basic("ann@example.com", "a password")
	cache := newAuthCache()
	cache.uses = newKeyUses()
	cache.uses.now = func() time.Time { return f.now }
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/who", authenticateWith(touchingStore{Store: db, touches: &f.touches, fail: &f.fail}, Fail, cache, authOptions{}),
		func(c *gin.Context) { c.String(http.StatusOK, CallerOf(c).Name) })
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

// get sends GET /who and wants a 200.
func (f *keyUseFixture) get(t *testing.T, authorization string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, f.url+"/who", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", authorization)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /who: %d, want 200", resp.StatusCode)
	}
}

// lastUsed is the key's stored last_used_at.
func (f *keyUseFixture) lastUsed(t *testing.T) *time.Time {
	t.Helper()
	k, err := f.db.APIKeyByKey(t.Context(), f.key)
	if err != nil {
		t.Fatal(err)
	}
	return k.LastUsedAt
}

func wantUsedAt(t *testing.T, got *time.Time, want time.Time) {
	t.Helper()
	if got == nil || !got.Equal(want) {
		t.Errorf("last_used_at = %v, want %v", got, want)
	}
}

func TestKeyUse(t *testing.T) {
	t.Run("written on first use, then at most once a minute", func(t *testing.T) {
		f := newKeyUseFixture(t)
		if got := f.lastUsed(t); got != nil {
			t.Fatalf("last_used_at = %v before any use, want null", got)
		}
		start := f.now
		f.get(t, "Bearer "+f.key)
		wantUsedAt(t, f.lastUsed(t), start)
		for range 3 {
			f.now = f.now.Add(19 * time.Second)
			f.get(t, "Bearer "+f.key)
		}
		wantUsedAt(t, f.lastUsed(t), start)
		if got := f.touches.Load(); got != 1 {
			t.Errorf("%d writes for 4 requests within a minute, want 1", got)
		}
		f.now = start.Add(keyUseInterval)
		f.get(t, "Bearer "+f.key)
		wantUsedAt(t, f.lastUsed(t), f.now)
		if got := f.touches.Load(); got != 2 {
			t.Errorf("%d writes after a minute, want 2", got)
		}
	})
	t.Run("a password is no key use", func(t *testing.T) {
		f := newKeyUseFixture(t)
		f.get(t, f.basic)
		if got := f.touches.Load(); got != 0 {
			t.Errorf("%d writes for a password, want 0", got)
		}
	})
	t.Run("a failed write is tried again on the next request", func(t *testing.T) {
		f := newKeyUseFixture(t)
		f.fail.Store(true)
		f.get(t, "Bearer "+f.key) // served all the same
		if got := f.lastUsed(t); got != nil {
			t.Fatalf("last_used_at = %v after a failed write, want null", got)
		}
		f.now = f.now.Add(time.Second)
		f.get(t, "Bearer "+f.key)
		wantUsedAt(t, f.lastUsed(t), f.now)
	})
}

// TestKeyUsesTellKeysApart: a key given a deleted key's id is not taken
// for it, and the record stays bounded.
func TestKeyUsesTellKeysApart(t *testing.T) {
	u := newKeyUses()
	now := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	u.now = func() time.Time { return now }
	old, reborn := keyUse{id: 3, created: 1}, keyUse{id: 3, created: 2}
	if _, ok := u.claim(old); !ok {
		t.Fatal("first use not written")
	}
	if _, ok := u.claim(reborn); !ok {
		t.Error("a new key with a deleted key's id is not written")
	}
	if _, ok := u.claim(old); ok {
		t.Error("the same key written twice within a minute")
	}
	for i := range maxKeyUses + 10 {
		u.claim(keyUse{id: int64(100 + i)})
	}
	if n := len(u.written); n > maxKeyUses {
		t.Errorf("%d keys remembered, want at most %d", n, maxKeyUses)
	}
}
