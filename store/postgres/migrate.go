package postgres

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"time"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrate applies, in file-name order, every embedded migration not yet
// recorded in schema_migrations, all in one transaction. An advisory lock
// on the schema's name makes a second process wait and then find them
// applied.
func migrate(ctx context.Context, db *sql.DB) error {
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("listing migrations: %w", err)
	}
	sort.Strings(names)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('parley migrate ' || current_schema()))`); err != nil {
		return fmt.Errorf("locking schema: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name       TEXT PRIMARY KEY,
		applied_at TIMESTAMPTZ NOT NULL
	)`); err != nil {
		return fmt.Errorf("creating schema_migrations: %w", err)
	}
	for _, file := range names {
		if err := apply(ctx, tx, file); err != nil {
			return fmt.Errorf("applying %s: %w", file, err)
		}
	}
	return tx.Commit()
}

// apply runs one migration file unless it is recorded, and records it. A
// statement without arguments goes by the simple protocol, which runs the
// several statements of a file.
func apply(ctx context.Context, tx *sql.Tx, file string) error {
	body, err := migrations.ReadFile(file)
	if err != nil {
		return err
	}
	name := path.Base(file)
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = $1`, name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)`, name, time.Now().UTC())
	return err
}
