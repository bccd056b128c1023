package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/store/sqlite"
)

// TestAdminGrant: `parley admin grant|revoke EMAIL` sets a user's is_admin
// and says what it did; an unknown email fails saying so.
func TestAdminGrant(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.db")
	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	u, err := db.CreateUser(t.Context(), "ops@example.com", "Ops", "long enough")
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	isAdmin := func() bool {
		t.Helper()
		db, err := sqlite.Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		got, err := db.User(t.Context(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.IsAdmin
	}

	code, stdout, stderr := runCLI(t, "admin", "grant", "--database", path, "OPS@example.com")
	if code != 0 || !strings.Contains(stdout, "ops@example.com is an administrator") || !isAdmin() {
		t.Fatalf("grant: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, _ = runCLI(t, "admin", "revoke", "--database", path, "ops@example.com")
	if code != 0 || !strings.Contains(stdout, "no longer") || isAdmin() {
		t.Errorf("revoke: exit %d, stdout %q", code, stdout)
	}
	code, _, stderr = runCLI(t, "admin", "grant", "--database", path, "nobody@example.com")
	if code != 1 || !strings.Contains(stderr, `No user has the email "nobody@example.com"`) {
		t.Errorf("an unknown email: exit %d, stderr %q", code, stderr)
	}
	for _, args := range [][]string{{"admin"}, {"admin", "promote", "a"}, {"admin", "grant"}, {"admin", "grant", "a", "b"}} {
		if code, _, stderr := runCLI(t, args...); code != 2 || !strings.Contains(stderr, "Usage: parley admin grant|revoke") {
			t.Errorf("%q: exit %d, stderr %q", args, code, stderr)
		}
	}
}
