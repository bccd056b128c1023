package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"time"

	"github.com/parleyhq/parley/store/internal/sqldb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrate applies, in file-name order, every embedded migration not yet
// recorded in schema_migrations, each in its own transaction with its
// record. The immediate transaction makes a second process opening the same
// file wait and then find the migration applied.
func migrate(ctx context.Context, db *sql.DB) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name       TEXT PRIMARY KEY,
		applied_at TEXT NOT NULL
	) STRICT`); err != nil {
		return fmt.Errorf("creating schema_migrations: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("listing migrations: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := apply(ctx, db, name); err != nil {
			return fmt.Errorf("applying %s: %w", name, err)
		}
	}
	return nil
}

func apply(ctx context.Context, db *sql.DB, file string) error {
	body, err := migrations.ReadFile(file)
	if err != nil {
		return err
	}
	name := path.Base(file)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE name = ?`, name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)`,
		name, time.Now().UTC().Format(sqldb.TextTime)); err != nil {
		return err
	}
	return tx.Commit()
}
