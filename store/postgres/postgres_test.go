package postgres

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/store/postgres/pgtest"
	"github.com/parleyhq/parley/store/storetest"
)

// open opens a store in a new schema of the test database, dropped when t
// ends (pgtest skips t when PARLEY_TEST_DATABASE_URL is unset).
func open(t testing.TB) *DB {
	t.Helper()
	return openURL(t, pgtest.URL(t))
}

// openURL opens the store at url, closed when t ends.
func openURL(t testing.TB, url string) *DB {
	t.Helper()
	db, err := Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestContract(t *testing.T) {
	if os.Getenv("PARLEY_TEST_DATABASE_URL") == "" {
		t.Skip("PARLEY_TEST_DATABASE_URL is not set; set it to a postgres:// URL to run the PostgreSQL store tests")
	}
	storetest.Run(t, func(t *testing.T) storetest.Clock { return clocked{open(t)} })
}

// clocked is a DB whose clock the contract suite sets.
type clocked struct{ *DB }

func (c clocked) SetNow(now func() time.Time) { c.Now = now }

// TestRemembered: turns stored out of order wait in dialog_turns only
// while they are above the watermark.
func TestRemembered(t *testing.T) {
	db := open(t)
	storetest.Remembered(t, db, func(t *testing.T, dialogID int64) []int64 {
		return column[int64](t, db, `SELECT state_seq FROM dialog_turns WHERE dialog_id = $1 ORDER BY state_seq`, dialogID)
	})
}

// BenchmarkSaveTurnConcurrent is storetest.BenchSaveTurn in a new schema:
// 32 goroutines per GOMAXPROCS storing turns of their own dialogs.
func BenchmarkSaveTurnConcurrent(b *testing.B) {
	storetest.BenchSaveTurn(b, open(b))
}

// BenchmarkSaveTurn is storetest.BenchSaveTurnOne in a new schema.
func BenchmarkSaveTurn(b *testing.B) {
	storetest.BenchSaveTurnOne(b, open(b))
}

func TestOpenTwice(t *testing.T) {
	url := pgtest.URL(t)
	openURL(t, url)
	again := openURL(t, url)
	var got int
	if err := again.pool.QueryRowContext(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&got); err != nil {
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

// TestSecretsHashed reads the raw tables for plain secrets.
func TestSecretsHashed(t *testing.T) {
	db := open(t)
	storetest.SecretsHashed(t, db, func(table string) string { return dumpTable(t, db, table) })
}

// dumpTable returns every row of table as text.
func dumpTable(t *testing.T, db *DB, table string) string {
	t.Helper()
	lines := column[string](t, db, `SELECT t::text FROM `+table+` t`)
	return fmt.Sprintln(strings.Join(lines, "\n"))
}

// column returns the one column of the rows of query.
func column[T any](t *testing.T, db *DB, query string, args ...any) []T {
	t.Helper()
	rows, err := db.pool.QueryContext(t.Context(), query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRawKnowledge reads how vectors and sources are stored.
func TestRawKnowledge(t *testing.T) {
	db := open(t)
	storetest.RawKnowledge(t, db,
		func(t *testing.T, storeID, documentID int64, seq int) []byte {
			var b []byte
			err := db.pool.QueryRowContext(t.Context(), `SELECT vector FROM chunks WHERE store_id = $1 AND document_id = $2 AND seq = $3`,
				storeID, documentID, seq).Scan(&b)
			if err != nil {
				t.Fatal(err)
			}
			return b
		},
		func(t *testing.T, messageID string) *string {
			var s *string
			if err := db.pool.QueryRowContext(t.Context(), `SELECT sources::text FROM messages WHERE id = $1`, messageID).Scan(&s); err != nil {
				t.Fatal(err)
			}
			return s
		})
}
