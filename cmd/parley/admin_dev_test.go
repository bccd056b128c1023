//go:build !slim

package main

import (
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley/store/sqlite"
)

// TestDevAdmin: parley dev's PARLEY_ADMIN_EMAIL user is an administrator
// from the first start on.
func TestDevAdmin(t *testing.T) {
	dir := t.TempDir()
	db, err := sqlite.Open(t.Context(), filepath.Join(dir, "parley.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	t.Setenv("PARLEY_ADMIN_EMAIL", "boss@example.com")
	t.Setenv("PARLEY_DEV_API_KEY", "")
	for start := range 2 {
		if _, err := bootstrap(t.Context(), db, dir); err != nil {
			t.Fatalf("start %d: %v", start, err)
		}
		u, err := db.UserByEmail(t.Context(), "boss@example.com")
		if err != nil || !u.IsAdmin {
			t.Fatalf("start %d: the dev admin is %+v, %v", start, u, err)
		}
	}
}
