// Package sqlite implements store.Store on an SQLite file (modernc.org/sqlite,
// no cgo), for development and single-node installs.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

var _ store.Store = (*DB)(nil)

// DB is a store.Store on an SQLite database file.
//
// SQLite runs one write transaction at a time. A connection that finds the
// database busy waits in SQLite's busy handler, which sleeps and retries
// with backoff, so concurrent writers on many connections wake late, retry
// in no order and pile up multi-second waits. DB queues writers in Go
// instead: every write transaction runs on the writer pool's one
// connection, and writers take turns at it in arrival order (see write).
// Reads run on the reader pool, whose connections WAL lets read next to
// the writer and each other. busy_timeout stays for what Go cannot queue:
// another process on the same file, and WAL checkpoints.
type DB struct {
	writer *sql.DB // one connection, for every write transaction
	reader *sql.DB // query_only connections, for every read
	// turn is the writer's queue: a writer holds the one slot while it
	// uses the writer. Blocked senders on a channel are served first in,
	// first out; the pool's own queue hands a freed connection to a random
	// waiter, which leaves the unlucky ones with long tails.
	turn chan struct{}
	// stmts are the turn's statements, prepared on the writer once: each
	// write would otherwise parse them anew, a fifth of a turn's time.
	stmts map[string]*sql.Stmt

	// Now returns the current time; tests replace it.
	Now func() time.Time
}

// Open opens (creating if needed) the database file at path and brings its
// schema up to date.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" || strings.Contains(path, "?") {
		return nil, fmt.Errorf("opening sqlite database: path %q must be a file name without '?'", path)
	}
	writer, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		return nil, fmt.Errorf("opening sqlite database %s: %w", path, err)
	}
	// One connection, never closed for being idle: its page cache stays
	// warm, and pragmas are not applied again.
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	// The writer's first connection switches the file to WAL before any
	// reader opens it.
	if err := migrate(ctx, writer); err != nil {
		writer.Close()
		return nil, fmt.Errorf("migrating sqlite database %s: %w", path, err)
	}
	reader, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("opening sqlite database %s: %w", path, err)
	}
	// Reads use the CPU, not the disk, so more connections than CPUs would
	// not read faster; a few more keep a long list from holding up lookups.
	// Every one stays open: opening a connection reads the schema anew.
	n := max(4, runtime.GOMAXPROCS(0))
	reader.SetMaxOpenConns(n)
	reader.SetMaxIdleConns(n)
	if err := reader.PingContext(ctx); err != nil {
		reader.Close()
		writer.Close()
		return nil, fmt.Errorf("opening sqlite database %s for reading: %w", path, err)
	}
	d := &DB{writer: writer, reader: reader, turn: make(chan struct{}, 1), stmts: map[string]*sql.Stmt{}, Now: time.Now}
	for _, q := range prepared {
		st, err := writer.PrepareContext(ctx, q)
		if err != nil {
			d.Close()
			return nil, fmt.Errorf("opening sqlite database %s: preparing statements: %w", path, err)
		}
		d.stmts[q] = st
	}
	return d, nil
}

// prepared are the statements of the hot path, SaveTurn's, which tx runs
// as prepared statements.
var prepared = []string{insertMessage, insertData, selectState, selectBot, updateState, updateWatermark}

// dsn is the data source name of the writer's or a reader's connections.
func dsn(path string, writer bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "foreign_keys(1)")
	if writer {
		q.Add("_pragma", "journal_mode(WAL)") // persistent: readers find the file in WAL mode
		q.Add("_pragma", "synchronous(NORMAL)")
		// Every write transaction takes the write lock when it begins: a
		// deferred one that reads first and writes later fails with
		// SQLITE_BUSY at once when another process's writer got in
		// between, and busy_timeout cannot help.
		q.Set("_txlock", "immediate")
	} else {
		// A read that wrote by mistake would take the write lock behind
		// the queue's back.
		q.Add("_pragma", "query_only(1)")
	}
	return path + "?" + q.Encode()
}

// Close closes the database.
func (d *DB) Close() error {
	errs := []error{d.reader.Close()}
	for _, st := range d.stmts {
		errs = append(errs, st.Close())
	}
	return errors.Join(append(errs, d.writer.Close())...)
}

// now is the current time as it is stored.
func (d *DB) now() time.Time { return rules.Time(d.Now()) }

// write runs fn in a transaction, committing if it returns nil. *store.Error
// values pass through as they are; other errors are wrapped with what.
// Writers wait for their turn in arrival order, giving up when ctx ends.
func (d *DB) write(ctx context.Context, what string, fn func(tx *tx) error) error {
	select {
	case d.turn <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("%s: waiting to write: %w", what, ctx.Err())
	}
	defer func() { <-d.turn }()
	t, err := d.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer t.Rollback()
	if err := fn(&tx{t, d.stmts}); err != nil {
		return wrap(what, err)
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// tx cleans every string it writes (see rules.Clean), and runs the
// statements DB has prepared as such.
type tx struct {
	*sql.Tx
	stmts map[string]*sql.Stmt
}

func (t *tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := t.stmts[query]; st != nil {
		return t.StmtContext(ctx, st).ExecContext(ctx, rules.CleanArgs(args)...)
	}
	return t.ExecContext(ctx, query, rules.CleanArgs(args)...)
}

func (t *tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st := t.stmts[query]; st != nil {
		return t.StmtContext(ctx, st).QueryRowContext(ctx, rules.CleanArgs(args)...)
	}
	return t.QueryRowContext(ctx, query, rules.CleanArgs(args)...)
}

// wrap adds context to an error unless it is a domain error.
func wrap(what string, err error) error {
	var e *store.Error
	if errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}

// notFound turns sql.ErrNoRows into ENOTFOUND for kind and id.
func notFound(err error, kind string, id any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return rules.NotFound(kind, id)
	}
	return err
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) &&
		(e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

// isForeignKey reports whether err is a FOREIGN KEY violation.
func isForeignKey(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// list runs a query on the reader and scans each row with scan; never nil,
// so an empty list encodes as [] rather than null.
func list[T any](ctx context.Context, d *DB, what string, scan func(scanner, *T) error, query string, args ...any) ([]T, error) {
	rows, err := d.reader.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	out, err := collect(rows, scan)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

// collect scans each of rows with scan and closes them; never nil, as list.
func collect[T any](rows *sql.Rows, scan func(scanner, *T) error) ([]T, error) {
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
