package postgres

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"parley/store"
	"parley/store/storetest"
)

// databaseURL returns PARLEY_TEST_DATABASE_URL, skipping t if it is unset.
func databaseURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("PARLEY_TEST_DATABASE_URL")
	if u == "" {
		t.Skip("PARLEY_TEST_DATABASE_URL is not set; set it to a postgres:// URL to run the PostgreSQL store tests")
	}
	return u
}

// open opens a store in a new schema of the test database, dropped when t
// ends.
func open(t testing.TB) *DB {
	t.Helper()
	base := databaseURL(t)
	schema := "parley_test_" + strings.ToLower(rand.Text())
	admin, err := pgx.Connect(t.Context(), base)
	if err != nil {
		t.Fatalf("connecting to PARLEY_TEST_DATABASE_URL: %v", err)
	}
	if _, err := admin.Exec(t.Context(), `CREATE SCHEMA `+schema); err != nil {
		t.Fatal(err)
	}
	// Cleanups run last-in first-out: the store closes before the schema
	// goes. t.Context() is already cancelled when they run.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	db, err := Open(t.Context(), withSearchPath(t, base, schema))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// withSearchPath adds search_path=schema to a postgres:// URL.
func withSearchPath(t testing.TB, base, schema string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parsing PARLEY_TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func TestContract(t *testing.T) {
	databaseURL(t)
	storetest.Run(t, func(t *testing.T) store.Store { return open(t) })
}

// TestRemembered: turns stored out of order wait in dialog_turns only
// while they are above the watermark.
func TestRemembered(t *testing.T) {
	db := open(t)
	storetest.Remembered(t, db, func(t *testing.T, dialogID int64) []int64 {
		rows, err := db.pool.Query(t.Context(), `SELECT state_seq FROM dialog_turns WHERE dialog_id = $1 ORDER BY state_seq`, dialogID)
		if err != nil {
			t.Fatal(err)
		}
		seqs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			t.Fatal(err)
		}
		return seqs
	})
}

// BenchmarkSaveTurnConcurrent is storetest.BenchSaveTurn in a new schema:
// 32 goroutines per GOMAXPROCS storing turns of their own dialogs.
func BenchmarkSaveTurnConcurrent(b *testing.B) {
	storetest.BenchSaveTurn(b, open(b))
}

func TestOpenTwice(t *testing.T) {
	db := open(t)
	again, err := Open(t.Context(), db.pool.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	var got int
	if err := again.pool.QueryRow(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	entries, err := migrations.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	if want := len(entries); got != want {
		t.Errorf("%d migrations recorded, want %d", got, want)
	}
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

// dumpTable returns every row of table as text.
func dumpTable(t *testing.T, db *DB, table string) string {
	t.Helper()
	rows, err := db.pool.Query(t.Context(), `SELECT t::text FROM `+table+` t`)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintln(strings.Join(lines, "\n"))
}
