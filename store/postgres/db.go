// Package postgres implements store.Store on PostgreSQL (pgx), for
// production.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

var _ store.Store = (*DB)(nil)

// DB is a store.Store on a PostgreSQL database.
type DB struct {
	pool *pgxpool.Pool

	// Now returns the current time; tests replace it.
	Now func() time.Time
}

// Open connects to the database at url (postgres://...; a search_path
// parameter selects the schema) and brings its schema up to date.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parsing database url: %w", err)
	}
	// pgx returns timestamptz in the local zone; the store promises UTC.
	cfg.AfterConnect = func(_ context.Context, c *pgx.Conn) error {
		c.TypeMap().RegisterType(&pgtype.Type{Name: "timestamptz", OID: pgtype.TimestamptzOID,
			Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC}})
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to database: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("migrating database: %w", err)
	}
	return &DB{pool: pool, Now: time.Now}, nil
}

// Close closes the connection pool.
func (d *DB) Close() error {
	d.pool.Close()
	return nil
}

// now is the current time as it is stored.
func (d *DB) now() time.Time { return rules.Time(d.Now()) }

// write runs fn in a transaction, committing if it returns nil. *store.Error
// values pass through as they are; other errors are wrapped with what.
func (d *DB) write(ctx context.Context, what string, fn func(tx *tx) error) error {
	t, err := d.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer t.Rollback(ctx)
	if err := fn(&tx{t}); err != nil {
		return wrap(what, err)
	}
	if err := t.Commit(ctx); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// tx cleans every string it writes (see rules.Clean).
type tx struct{ pgx.Tx }

func (t *tx) exec(ctx context.Context, query string, args ...any) (pgconn.CommandTag, error) {
	return t.Exec(ctx, query, rules.CleanArgs(args)...)
}

func (t *tx) queryRow(ctx context.Context, query string, args ...any) pgx.Row {
	return t.QueryRow(ctx, query, rules.CleanArgs(args)...)
}

// wrap adds context to an error unless it is a domain error.
func wrap(what string, err error) error {
	var e *store.Error
	if errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}

// notFound turns pgx.ErrNoRows into ENOTFOUND for kind and id.
func notFound(err error, kind string, id any) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return rules.NotFound(kind, id)
	}
	return err
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func isUnique(err error) bool { return hasCode(err, "23505") }

// isForeignKey reports whether err is a FOREIGN KEY violation.
func isForeignKey(err error) bool { return hasCode(err, "23503") }

func hasCode(err error, code string) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == code
}

// scanner is a pgx.Row or pgx.Rows.
type scanner interface{ Scan(dest ...any) error }

// list runs a query and scans each row with scan; never nil, so an empty
// list encodes as [] rather than null.
func list[T any](ctx context.Context, d *DB, what string, scan func(scanner, *T) error, query string, args ...any) ([]T, error) {
	rows, err := d.pool.Query(ctx, query, args...)
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
func collect[T any](rows pgx.Rows, scan func(scanner, *T) error) ([]T, error) {
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
