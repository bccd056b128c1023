// Package sqlite opens Parley's store on an SQLite file (modernc.org/sqlite,
// no cgo), for development and single-node installs. The store itself is
// store/internal/sqldb; this package opens the file, migrates it and gives
// SQLite's dialect (dialect.go).
package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"runtime"
	"strings"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/sqldb"
)

var _ store.Store = (*DB)(nil)

// DB is a store.Store on an SQLite database file. Its Now field (from
// sqldb.DB) returns the current time; tests replace it.
//
// SQLite runs one write transaction at a time. A connection that finds the
// database busy waits in SQLite's busy handler, which sleeps and retries
// with backoff, so concurrent writers on many connections wake late, retry
// in no order and pile up multi-second waits. DB queues writers in Go
// instead: every write transaction runs on the writer pool's one
// connection, and writers take turns at it in arrival order (see
// sqldb.Config's Queue). Reads run on the reader pool, whose connections
// WAL lets read next to the writer and each other. busy_timeout stays for
// what Go cannot queue: another process on the same file, and WAL
// checkpoints.
type DB struct {
	*sqldb.DB
	writer *sql.DB       // one connection, for every write transaction
	reader *sql.DB       // query_only connections, for every read
	turn   chan struct{} // the writer's queue
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
	// The turn's statements are prepared on the writer once: each write
	// would otherwise parse them anew, a fifth of a turn's time.
	turn := make(chan struct{}, 1)
	db, err := sqldb.New(ctx, sqldb.Config{Writer: writer, Reader: reader, Queue: turn, Prepare: true, Dialect: dialect})
	if err != nil {
		reader.Close()
		writer.Close()
		return nil, fmt.Errorf("opening sqlite database %s: %w", path, err)
	}
	return &DB{DB: db, writer: writer, reader: reader, turn: turn}, nil
}

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
