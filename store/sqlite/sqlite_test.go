package sqlite

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"parley/store"
	"parley/store/storetest"
)

// open opens a new database in a temporary directory, closed when t ends.
func open(t *testing.T) *DB {
	t.Helper()
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "parley.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return open(t) })
}

func TestOpenTwice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.db")
	for range 2 {
		db, err := Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		var got int
		if err := db.db.QueryRowContext(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if want := countMigrations(t); got != want {
			t.Errorf("%d migrations recorded, want %d", got, want)
		}
		db.Close()
	}
}

func TestPragmas(t *testing.T) {
	db := open(t)
	for _, c := range []struct{ pragma, want string }{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
		{"synchronous", "1"}, // NORMAL
	} {
		var got string
		if err := db.db.QueryRowContext(t.Context(), "PRAGMA "+c.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("PRAGMA %s = %s, want %s", c.pragma, got, c.want)
		}
	}
}

func TestOpenRefusesQuery(t *testing.T) {
	if _, err := Open(t.Context(), filepath.Join(t.TempDir(), "x.db?mode=ro")); err == nil {
		t.Error("Open accepted a path with '?'")
	}
}

func countMigrations(t *testing.T) int {
	t.Helper()
	entries, err := migrations.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

func TestNow(t *testing.T) {
	db := open(t)
	want := time.Date(2030, 1, 2, 3, 4, 5, 6_789_000, time.FixedZone("X", 3600))
	db.Now = func() time.Time { return want }
	o, err := db.CreateOrganization(t.Context(), "Acme")
	if err != nil {
		t.Fatal(err)
	}
	if got := o.CreatedAt; !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("CreatedAt %v, want %v in UTC", got, want)
	}
}

// TestSecretsHashed reads the raw tables: neither a plain API key nor a
// plain password may be stored anywhere.
func TestSecretsHashed(t *testing.T) {
	db, ctx := open(t), t.Context()
	o, err := db.CreateOrganization(ctx, "Acme")
	if err != nil {
		t.Fatal(err)
	}
	p, err := db.CreateProject(ctx, o.ID, "P")
	if err != nil {
		t.Fatal(err)
	}
	key, _, err := db.CreateAPIKey(ctx, p.ID, "ci")
	if err != nil {
		t.Fatal(err)
	}
	const devKey, password = "sk-dev-key-0123456789", "hunter2-password"
	if _, err := db.RegisterAPIKey(ctx, p.ID, "dev", devKey); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateUser(ctx, "a@example.com", "A", password); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"api_keys", "users"} {
		for _, secret := range []string{key, devKey, password} {
			if dump := dumpTable(t, db, table); strings.Contains(dump, secret) {
				t.Errorf("table %s holds the plain secret %q:\n%s", table, secret, dump)
			}
		}
	}
	if dump := dumpTable(t, db, "users"); !strings.Contains(dump, "$argon2id$v=19$") {
		t.Errorf("users holds no argon2id hash:\n%s", dump)
	}
}

// dumpTable returns every value of every row of table as text.
func dumpTable(t *testing.T, db *DB, table string) string {
	t.Helper()
	rows, err := db.db.QueryContext(t.Context(), `SELECT * FROM `+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			fmt.Fprintf(&b, "%v|", v)
		}
		b.WriteString("\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}
