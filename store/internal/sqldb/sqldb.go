// Package sqldb implements store.Store once, on database/sql, for every SQL
// database Parley runs on. What differs between them (placeholders, how
// times are stored, constraint errors, the id sequence, row locks) is a
// Dialect; the packages store/sqlite and store/postgres open their database,
// run their own migrations and hand both to New.
//
// Queries are written with ? placeholders; a Dialect with Numbered set
// gets them rewritten to $1, $2, ... once per query text.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

var _ store.Store = (*DB)(nil)

// DB is a store.Store on a database/sql database.
type DB struct {
	writer  *sql.DB // every write transaction
	reader  *sql.DB // every read; the writer's pool where there is one pool
	dialect Dialect
	// queue, when not nil, makes writers take turns at the writer in
	// arrival order (see write).
	queue chan struct{}
	// stmts are the hot path's statements prepared on the writer, by query.
	stmts map[string]*sql.Stmt
	// reads are the hot path's reads prepared on the reader, by query.
	reads   map[string]*sql.Stmt
	rebound sync.Map // query with ? → query with $n, for a Numbered dialect

	// hooks are called after each commit that logged events (OnEvents).
	hooks   []func(ctx context.Context, evs []store.Event)
	hooksMu sync.RWMutex

	// Now returns the current time; tests replace it.
	Now func() time.Time
}

// Config is what New builds a DB from.
type Config struct {
	Writer *sql.DB // runs every write transaction
	Reader *sql.DB // runs every read; nil for Writer
	// Queue, when not nil, is a channel whose buffer holds a slot for
	// each write transaction that may run at once (one for SQLite, whose
	// Writer has one connection; the pool's size for PostgreSQL). Writers
	// take the slots in arrival order: blocked senders on a channel are
	// served first in, first out, where database/sql hands a freed
	// connection to a random waiter, which leaves the unlucky ones with
	// long tails.
	Queue chan struct{}
	// Prepare prepares SaveTurn's statements on Writer once, and the reads
	// of every dialog request on Reader, where parsing them anew is a large
	// part of a turn's time (SQLite). A driver that caches prepared
	// statements itself (pgx) needs none.
	Prepare bool
	Dialect Dialect
}

// New returns a store on the databases of c, which must be migrated. The
// store's Close closes them; if New fails, they are the caller's to close.
func New(ctx context.Context, c Config) (*DB, error) {
	d := &DB{writer: c.Writer, reader: c.Reader, dialect: c.Dialect, queue: c.Queue,
		stmts: map[string]*sql.Stmt{}, reads: map[string]*sql.Stmt{}, Now: time.Now}
	if d.reader == nil {
		d.reader = d.writer
	}
	if !c.Prepare {
		return d, nil
	}
	if err := d.prepare(ctx, d.writer, d.stmts, prepared); err != nil {
		return nil, err
	}
	if err := d.prepare(ctx, d.reader, d.reads, preparedReads); err != nil {
		return nil, err
	}
	return d, nil
}

// prepared are the statements of the hot path, SaveTurn's (with its
// events).
var prepared = []string{insertMessage, insertData, selectState, selectBot, updateState, updateWatermark, selectEventSeq, insertEvent}

// preparedReads are the reads of every request to a dialog: its API key
// and the dialog. database/sql prepares each on a reader connection the
// first time it runs there and keeps it.
var preparedReads = []string{selectAPIKey, selectDialogByUUID, selectDialogByID}

// prepare prepares queries on db into stmts, closing every statement
// prepared so far if one fails.
func (d *DB) prepare(ctx context.Context, db *sql.DB, stmts map[string]*sql.Stmt, queries []string) error {
	for _, q := range queries {
		q = d.rebind(q)
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			for _, st := range d.stmts {
				st.Close()
			}
			for _, st := range d.reads {
				st.Close()
			}
			return fmt.Errorf("preparing statements: %w", err)
		}
		stmts[q] = st
	}
	return nil
}

// Ping runs a query on the readers, and so checks that the database
// answers.
func (d *DB) Ping(ctx context.Context) error {
	var one int
	if err := d.queryRow(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("pinging the database: %w", err)
	}
	return nil
}

// Pool reports the writer's and the reader's connections.
func (d *DB) Pool() store.PoolStats {
	out := store.PoolStats{Database: d.dialect.Name}
	pools := []*sql.DB{d.writer}
	if d.reader != d.writer {
		pools = append(pools, d.reader)
	}
	for _, p := range pools {
		s := p.Stats()
		out.MaxOpen += s.MaxOpenConnections
		out.Open += s.OpenConnections
		out.InUse += s.InUse
		out.Idle += s.Idle
	}
	return out
}

// Close closes the prepared statements and the databases.
func (d *DB) Close() error {
	var errs []error
	for _, st := range d.stmts {
		errs = append(errs, st.Close())
	}
	for _, st := range d.reads {
		errs = append(errs, st.Close())
	}
	if d.reader != d.writer {
		errs = append(errs, d.reader.Close())
	}
	return errors.Join(append(errs, d.writer.Close())...)
}

// now is the current time as it is stored.
func (d *DB) now() time.Time { return rules.Time(d.Now()) }

// ts is the argument that stores t.
func (d *DB) ts(t time.Time) any { return d.dialect.Time(rules.Time(t)) }

// tsPtr is the argument that stores an optional time: NULL when nil.
func (d *DB) tsPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return d.ts(*t)
}

// write runs fn in a transaction on the writer, committing if it returns
// nil. *store.Error values pass through as they are; other errors are
// wrapped with what. With a queue, writers wait for their turn in arrival
// order, giving up when ctx ends.
func (d *DB) write(ctx context.Context, what string, fn func(t *tx) error) error {
	if d.queue != nil {
		select {
		case d.queue <- struct{}{}:
		case <-ctx.Done():
			return fmt.Errorf("%s: waiting to write: %w", what, ctx.Err())
		}
		defer func() { <-d.queue }()
	}
	t, err := d.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer t.Rollback()
	w := &tx{Tx: t, db: d}
	if err := fn(w); err != nil {
		return wrap(what, err)
	}
	if err := w.flushEvents(ctx); err != nil {
		return wrap(what, err)
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	d.announce(ctx, w.logged)
	return nil
}

// read runs fn in a read-only transaction on the reader, in which its
// queries see one state of the database (the dialect's Snapshot). Errors
// are wrapped as write wraps them.
func (d *DB) read(ctx context.Context, what string, fn func(t *tx) error) error {
	t, err := d.reader.BeginTx(ctx, d.dialect.Snapshot)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer t.Rollback() // it only reads
	return wrap(what, fn(&tx{Tx: t, db: d}))
}

// queryRow runs a query that returns one row on the reader.
func (d *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	query = d.rebind(query)
	if st := d.reads[query]; st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return d.reader.QueryRowContext(ctx, query, args...)
}

// tx is a transaction of a DB. It cleans every string it writes (see
// rules.Clean) and runs the statements the DB has prepared as such.
type tx struct {
	*sql.Tx
	db *DB
	// logged are the events to write before the transaction commits
	// (see log), and refs what it knows of their dialogs.
	logged []store.Event
	refs   map[int64]dialogRef
}

func (t *tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	query, args = t.db.rebind(query), rules.CleanArgs(args)
	if st := t.db.stmts[query]; st != nil {
		return t.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.ExecContext(ctx, query, args...)
}

func (t *tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	query, args = t.db.rebind(query), rules.CleanArgs(args)
	if st := t.db.stmts[query]; st != nil {
		return t.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.QueryRowContext(ctx, query, args...)
}

func (t *tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.QueryContext(ctx, t.db.rebind(query), rules.CleanArgs(args)...)
}

// wrap adds context to an error unless it is a domain error or nil.
func wrap(what string, err error) error {
	var e *store.Error
	if err == nil || errors.As(err, &e) {
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

// changed returns err, or ENOTFOUND for kind and id if the statement whose
// result res is changed no row.
func changed(res sql.Result, err error, kind string, id any) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err == nil && n == 0 {
		return rules.NotFound(kind, id)
	}
	return err
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// list runs a query on the reader and scans each row with scan; never nil,
// so an empty list encodes as [] rather than null.
func list[T any](ctx context.Context, d *DB, what string, scan func(scanner, *T) error, query string, args ...any) ([]T, error) {
	rows, err := d.reader.QueryContext(ctx, d.rebind(query), args...)
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

// scanID scans an id, for collect.
func scanID(r scanner, id *int64) error { return r.Scan(id) }
