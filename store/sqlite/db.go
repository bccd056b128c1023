// Package sqlite implements store.Store on an SQLite file (modernc.org/sqlite,
// no cgo), for development and single-node installs.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"parley/store"
	"parley/store/internal/rules"
)

var _ store.Store = (*DB)(nil)

// DB is a store.Store on an SQLite database file.
type DB struct {
	db *sql.DB

	// Now returns the current time; tests replace it.
	Now func() time.Time
}

// Open opens (creating if needed) the database file at path and brings its
// schema up to date.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" || strings.Contains(path, "?") {
		return nil, fmt.Errorf("opening sqlite database: path %q must be a file name without '?'", path)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// Every write transaction takes the write lock when it begins: a deferred
	// one that reads first and writes later fails with SQLITE_BUSY at once
	// when another writer got in between, and busy_timeout cannot help.
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("opening sqlite database %s: %w", path, err)
	}
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrating sqlite database %s: %w", path, err)
	}
	return &DB{db: db, Now: time.Now}, nil
}

// Close closes the database.
func (d *DB) Close() error { return d.db.Close() }

// now is the current time as it is stored.
func (d *DB) now() time.Time { return rules.Time(d.Now()) }

// write runs fn in a transaction, committing if it returns nil. *store.Error
// values pass through as they are; other errors are wrapped with what.
func (d *DB) write(ctx context.Context, what string, fn func(tx *tx) error) error {
	t, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer t.Rollback()
	if err := fn(&tx{t}); err != nil {
		return wrap(what, err)
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// tx cleans every string it writes (see rules.Clean).
type tx struct{ *sql.Tx }

func (t *tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.ExecContext(ctx, query, rules.CleanArgs(args)...)
}

func (t *tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
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

// list runs a query and scans each row with scan; never nil, so an empty
// list encodes as [] rather than null.
func list[T any](ctx context.Context, d *DB, what string, scan func(scanner, *T) error, query string, args ...any) ([]T, error) {
	rows, err := d.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}
