package server

import (
	"context"
	"database/sql"
	"encoding/base64"
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

// authFixture is a project with an API key and a member with a password,
// in an SQLite file that a second connection (standing for another process
// sharing the database) changes behind the server's back.
type authFixture struct {
	key, email, password string
	other                *sql.DB
	lookups              atomic.Int64 // the store's credential lookups
	now                  time.Time
	handler              http.Handler
}

// countingStore counts the lookups the cache is meant to save.
type countingStore struct {
	store.Store
	f *authFixture
}

func (s countingStore) APIKeyByKey(ctx context.Context, key string) (*store.APIKey, error) {
	s.f.lookups.Add(1)
	return s.Store.APIKeyByKey(ctx, key)
}

func (s countingStore) Authenticate(ctx context.Context, email, password string) (*store.User, error) {
	s.f.lookups.Add(1)
	return s.Store.Authenticate(ctx, email, password)
}

func newAuthFixture(t *testing.T) *authFixture {
	t.Helper()
	params := store.PasswordParams
	store.PasswordParams = store.Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	t.Cleanup(func() { store.PasswordParams = params })
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "parley.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	org, err := db.CreateOrganization(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	project, err := db.CreateProject(ctx, org.ID, "Support")
	if err != nil {
		t.Fatal(err)
	}
	f := &authFixture{email: "ann@example.com", password: "first password", now: time.Unix(1_800_000_000, 0)}
	user, err := db.CreateUser(ctx, f.email, "Ann", f.password)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetMembership(ctx, project.ID, user.ID, store.RoleOwner); err != nil {
		t.Fatal(err)
	}
	if f.key, _, err = db.CreateAPIKey(ctx, project.ID, "bot"); err != nil {
		t.Fatal(err)
	}
	if f.other, err = sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.other.Close() })
	cache := newAuthCache()
	cache.now = func() time.Time { return f.now }
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/who", authenticateWith(countingStore{Store: db, f: f}, Fail, cache, authOptions{}), func(c *gin.Context) {
		c.String(http.StatusOK, CallerOf(c).Name)
	})
	f.handler = r
	return f
}

// status sends GET /who with an Authorization header.
func (f *authFixture) status(t *testing.T, authorization string) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/who", nil)
	req.Header.Set("Authorization", authorization)
	rec := httptest.NewRecorder()
	f.handler.ServeHTTP(rec, req)
	return rec.Code
}

func (f *authFixture) bearer() string { return "Bearer " + f.key }

func basic(email, password string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(email+":"+password))
}

// exec changes the database as another process would.
func (f *authFixture) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	if _, err := f.other.ExecContext(t.Context(), query, args...); err != nil {
		t.Fatal(err)
	}
}

func TestAuthCache(t *testing.T) {
	t.Run("a verified credential is not looked up again within the TTL", func(t *testing.T) {
		f := newAuthFixture(t)
		for range 3 {
			if got := f.status(t, f.bearer()); got != http.StatusOK {
				t.Fatalf("key: got %d, want 200", got)
			}
			if got := f.status(t, basic(f.email, f.password)); got != http.StatusOK {
				t.Fatalf("password: got %d, want 200", got)
			}
		}
		if got, want := f.lookups.Load(), int64(2); got != want {
			t.Errorf("got %d store lookups for 6 requests, want %d", got, want)
		}
		f.now = f.now.Add(credentialTTL)
		f.status(t, f.bearer())
		if got, want := f.lookups.Load(), int64(3); got != want {
			t.Errorf("after the TTL: got %d store lookups, want %d", got, want)
		}
	})

	t.Run("a key revoked by another process is refused once the TTL passes", func(t *testing.T) {
		f := newAuthFixture(t)
		f.status(t, f.bearer())
		f.exec(t, `DELETE FROM api_keys`)
		f.now = f.now.Add(credentialTTL - time.Second)
		if got := f.status(t, f.bearer()); got != http.StatusOK {
			t.Fatalf("within the TTL: got %d, want 200 (the documented staleness)", got)
		}
		f.now = f.now.Add(time.Second)
		if got := f.status(t, f.bearer()); got != http.StatusUnauthorized {
			t.Errorf("after the TTL: got %d, want 401", got)
		}
	})

	t.Run("a key revoked in this process is refused at once", func(t *testing.T) {
		f := newAuthFixture(t)
		f.status(t, f.bearer())
		f.exec(t, `DELETE FROM api_keys`)
		ForgetCredentials()
		if got := f.status(t, f.bearer()); got != http.StatusUnauthorized {
			t.Errorf("got %d, want 401", got)
		}
	})

	t.Run("a changed password stops working", func(t *testing.T) {
		f := newAuthFixture(t)
		old := basic(f.email, f.password)
		if got := f.status(t, old); got != http.StatusOK {
			t.Fatalf("before the change: got %d, want 200", got)
		}
		hash, err := store.HashPassword("second password")
		if err != nil {
			t.Fatal(err)
		}
		f.exec(t, `UPDATE users SET password_hash = ?`, hash)
		ForgetCredentials()
		if got := f.status(t, old); got != http.StatusUnauthorized {
			t.Errorf("old password: got %d, want 401", got)
		}
		if got := f.status(t, basic(f.email, "second password")); got != http.StatusOK {
			t.Errorf("new password: got %d, want 200", got)
		}
		// Another process's change, after the TTL.
		f.exec(t, `UPDATE users SET password_hash = ?`, hash+"x")
		f.now = f.now.Add(credentialTTL)
		if got := f.status(t, basic(f.email, "second password")); got != http.StatusUnauthorized {
			t.Errorf("after another change and the TTL: got %d, want 401", got)
		}
	})

	t.Run("a wrong password is checked every time", func(t *testing.T) {
		f := newAuthFixture(t)
		f.status(t, basic(f.email, f.password))
		for range 2 {
			if got := f.status(t, basic(f.email, "guess")); got != http.StatusUnauthorized {
				t.Errorf("got %d, want 401", got)
			}
		}
		if got, want := f.lookups.Load(), int64(3); got != want {
			t.Errorf("got %d store lookups, want %d", got, want)
		}
	})
}

func TestAuthCacheBounded(t *testing.T) {
	a := newAuthCache()
	a.max = 2
	epoch := credentialsEpoch.Load()
	for i := range 5 {
		a.put([32]byte{byte(i)}, authEntry{expires: a.now().Add(time.Minute), epoch: epoch})
		if len(a.entries) > a.max {
			t.Fatalf("%d entries, want at most %d", len(a.entries), a.max)
		}
	}
	if _, ok := a.get([32]byte{4}, epoch); !ok {
		t.Error("the newest entry is missing")
	}
}

func TestAuthCacheKeys(t *testing.T) {
	// Two caches (two processes) key one header differently: a key is an
	// HMAC under the cache's own random key, not a hash anyone can compute.
	header := "Bearer sk-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKL"
	key := func(a *authCache) [32]byte {
		a.put(a.digest(header), authEntry{})
		for k := range a.entries {
			return k
		}
		return [32]byte{}
	}
	one, two := key(newAuthCache()), key(newAuthCache())
	if one == two {
		t.Error("two caches key the same header alike")
	}
}
