package postgres

import (
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/parleyhq/parley/store/internal/rules"
	"github.com/parleyhq/parley/store/internal/sqldb"
)

// dialect is PostgreSQL's: $n placeholders; times as timestamptz; ids of
// bots and dialogs from the objects sequence; write transactions side by
// side, which lock the rows they read and then change; lists read in one
// REPEATABLE READ snapshot.
var dialect = sqldb.Dialect{
	Name:         "postgres",
	Numbered:     true,
	Time:         func(t time.Time) any { return t },
	IsUnique:     func(err error) bool { return code(err) == "23505" },
	IsForeignKey: func(err error) bool { return code(err) == "23503" },
	Constraint:   constraint,
	NextID:       `SELECT nextval('objects')`,
	RowLocks:     true,
	Bytewise:     `"C"`,
	Snapshot:     &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
	Text: rules.TextSearch{
		Cond: `id IN (SELECT dialog_id FROM messages WHERE text_search @@ plainto_tsquery('simple', %s))`,
		Arg:  func(words []string) any { return strings.Join(words, " ") },
	},
}

// code is the SQLSTATE of err, "" if it is not the server's.
func code(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// constraint names the constraint or index err violates, "" if none.
func constraint(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.ConstraintName
	}
	return ""
}
