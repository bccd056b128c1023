// Package postgres opens Parley's store on PostgreSQL, for production. The
// store itself is store/internal/sqldb on database/sql, through pgx's
// driver (which prepares and caches every statement per connection); this
// package connects, migrates and gives PostgreSQL's dialect (dialect.go).
package postgres

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/sqldb"
)

var _ store.Store = (*DB)(nil)

// DB is a store.Store on a PostgreSQL database. Its Now field (from
// sqldb.DB) returns the current time; tests replace it.
type DB struct {
	*sqldb.DB
	pool *sql.DB
}

// Open connects to the database at url (postgres://...; a search_path
// parameter selects the schema, pool_max_conns and the other pgxpool
// parameters size the pool) and brings its schema up to date.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parsing database url: %w", err)
	}
	pool := stdlib.OpenDB(*cfg.ConnConfig)
	// The pool's limits as pgxpool's would be: more connections than the
	// server has CPUs only wait on each other.
	pool.SetMaxOpenConns(int(cfg.MaxConns))
	pool.SetMaxIdleConns(int(cfg.MaxConns))
	pool.SetConnMaxLifetime(cfg.MaxConnLifetime)
	pool.SetConnMaxIdleTime(cfg.MaxConnIdleTime)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connecting to database: %w", err)
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("migrating database: %w", err)
	}
	// Writers queue for the pool's connections in arrival order, as they
	// did at pgxpool's.
	queue := make(chan struct{}, cfg.MaxConns)
	db, err := sqldb.New(ctx, sqldb.Config{Writer: pool, Queue: queue, Dialect: dialect})
	if err != nil {
		pool.Close()
		return nil, err
	}
	return &DB{DB: db, pool: pool}, nil
}
