package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/storetest"
)

// open opens a new database in a temporary directory, closed when t ends.
func open(t testing.TB) *DB {
	t.Helper()
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "parley.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestContract(t *testing.T) {
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
		rows, err := db.reader.QueryContext(t.Context(), `SELECT state_seq FROM dialog_turns WHERE dialog_id = ? ORDER BY state_seq`, dialogID)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var seqs []int64
		for rows.Next() {
			var seq int64
			if err := rows.Scan(&seq); err != nil {
				t.Fatal(err)
			}
			seqs = append(seqs, seq)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return seqs
	})
}

// BenchmarkSaveTurnConcurrent is storetest.BenchSaveTurn on a new database
// file: 32 goroutines per GOMAXPROCS storing turns of their own dialogs.
func BenchmarkSaveTurnConcurrent(b *testing.B) {
	storetest.BenchSaveTurn(b, open(b))
}

// BenchmarkSaveTurn is storetest.BenchSaveTurnOne on a new database file.
func BenchmarkSaveTurn(b *testing.B) {
	storetest.BenchSaveTurnOne(b, open(b))
}

func TestOpenTwice(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.db")
	for range 2 {
		db, err := Open(t.Context(), path)
		if err != nil {
			t.Fatal(err)
		}
		var got int
		if err := db.reader.QueryRowContext(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&got); err != nil {
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
	for _, c := range []struct {
		pool         string
		db           *sql.DB
		pragma, want string
	}{
		{"writer", db.writer, "journal_mode", "wal"},
		{"writer", db.writer, "foreign_keys", "1"},
		{"writer", db.writer, "busy_timeout", "5000"},
		{"writer", db.writer, "synchronous", "1"}, // NORMAL
		{"writer", db.writer, "query_only", "0"},
		{"reader", db.reader, "journal_mode", "wal"},
		{"reader", db.reader, "foreign_keys", "1"},
		{"reader", db.reader, "busy_timeout", "5000"},
		{"reader", db.reader, "query_only", "1"},
	} {
		var got string
		if err := c.db.QueryRowContext(t.Context(), "PRAGMA "+c.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%s: PRAGMA %s = %s, want %s", c.pool, c.pragma, got, c.want)
		}
	}
}

// TestPools checks the shape the write queue relies on: one writer
// connection, and readers that cannot write.
func TestPools(t *testing.T) {
	db := open(t)
	if n := db.writer.Stats().MaxOpenConnections; n != 1 {
		t.Errorf("writer pool allows %d connections, want 1", n)
	}
	if n := db.reader.Stats().MaxOpenConnections; n < 4 {
		t.Errorf("reader pool allows %d connections, want at least 4", n)
	}
	if _, err := db.reader.ExecContext(t.Context(), `INSERT INTO organizations (name, created_at) VALUES ('x', 'y')`); err == nil {
		t.Error("a reader connection wrote")
	}
}

// TestWriteWaitsInGo: a writer that finds another writing waits for its
// turn in Go, gives up when its context ends, and writes once it is free.
// newDialog makes an organization, a project and a dialog in it.
func newDialog(t *testing.T, db *DB) *store.Dialog {
	t.Helper()
	o, err := db.CreateOrganization(t.Context(), "Acme")
	if err != nil {
		t.Fatal(err)
	}
	p, err := db.CreateProject(t.Context(), o.ID, "P")
	if err != nil {
		t.Fatal(err)
	}
	d := &store.Dialog{ProjectID: p.ID}
	if err := db.CreateDialog(t.Context(), d); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestWriteWaitsInGo(t *testing.T) {
	db, ctx := open(t), t.Context()
	d := newDialog(t, db)
	turn := store.Turn{State: &store.DialogState{DialogID: d.ID, StateSeq: 1, Node: "next"}}

	db.turn <- struct{}{} // another writer is writing
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if err := db.SaveTurn(short, turn); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("SaveTurn while another writes = %v, want the context's deadline", err)
	}
	// Reads do not queue behind the writer.
	if _, err := db.DialogByID(ctx, d.ProjectID, d.ID); err != nil {
		t.Fatalf("reading while another writes: %v", err)
	}
	done := make(chan error)
	go func() { done <- db.SaveTurn(ctx, turn) }()
	select {
	case err := <-done:
		t.Fatalf("SaveTurn returned %v while another writes", err)
	case <-time.After(50 * time.Millisecond):
	}
	<-db.turn // the other writer is done
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	got, err := db.DialogByID(ctx, d.ProjectID, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.StateSeq != 1 || got.Node != "next" {
		t.Errorf("dialog StateSeq %d, node %q; want 1, next", got.StateSeq, got.Node)
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

// TestSecretsHashed reads the raw tables for plain secrets.
func TestSecretsHashed(t *testing.T) {
	db := open(t)
	storetest.SecretsHashed(t, db, func(table string) string { return dumpTable(t, db, table) })
}

// dumpTable returns every value of every row of table as text.
func dumpTable(t *testing.T, db *DB, table string) string {
	t.Helper()
	return dumpQuery(t, db.reader, `SELECT * FROM `+table)
}

// dumpQuery returns every value of every row query answers as text, a row
// a line, each value followed by |.
func dumpQuery(t *testing.T, db *sql.DB, query string) string {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), query)
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

// TestRawKnowledge reads how vectors and sources are stored.
func TestRawKnowledge(t *testing.T) {
	db := open(t)
	storetest.RawKnowledge(t, db,
		func(t *testing.T, storeID, documentID int64, seq int) []byte {
			var b []byte
			err := db.reader.QueryRowContext(t.Context(), `SELECT vector FROM chunks WHERE store_id = ? AND document_id = ? AND seq = ?`,
				storeID, documentID, seq).Scan(&b)
			if err != nil {
				t.Fatal(err)
			}
			return b
		},
		func(t *testing.T, messageID string) *string {
			var s *string
			if err := db.reader.QueryRowContext(t.Context(), `SELECT sources FROM messages WHERE id = ?`, messageID).Scan(&s); err != nil {
				t.Fatal(err)
			}
			return s
		})
}

// TestSearchWritesOnlyWhenBehind: a text search first brings the FTS5
// index up to date, which takes a turn at the writer; when nothing is new
// it does not, so searches do not queue with the turns.
func TestSearchWritesOnlyWhenBehind(t *testing.T) {
	db, ctx := open(t), t.Context()
	d := newDialog(t, db)
	say := func(seq int64, text string) {
		t.Helper()
		m := store.Message{ID: fmt.Sprintf("m%d", seq), DialogID: d.ID, Seq: seq, Role: store.MessageUser, Text: text, CreatedAt: time.Now()}
		if err := db.AppendMessages(ctx, []store.Message{m}); err != nil {
			t.Fatal(err)
		}
	}
	search := func(ctx context.Context, text string) (int, error) {
		found, _, err := db.ListDialogs(ctx, d.ProjectID, store.DialogFilter{Text: text, SkipCount: true})
		return len(found), err
	}
	say(1, "where is my parcel")
	if n, err := search(ctx, "parcel"); err != nil || n != 1 {
		t.Fatalf("first search: %d dialogs, %v", n, err)
	}

	db.turn <- struct{}{} // another writer is writing
	short, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	if n, err := search(short, "parcel"); err != nil || n != 1 {
		t.Errorf("a search with the index up to date, while another writes: %d dialogs, %v", n, err)
	}
	<-db.turn
	say(2, "it never came")
	db.turn <- struct{}{}
	shorter, cancel2 := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel2()
	if _, err := search(shorter, "came"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a search with a message to index, while another writes = %v, want the context's deadline", err)
	}
	<-db.turn
	if n, err := search(ctx, "came"); err != nil || n != 1 {
		t.Errorf("the new message: %d dialogs, %v", n, err)
	}
}
