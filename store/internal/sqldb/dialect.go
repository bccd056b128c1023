package sqldb

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/store/internal/rules"
)

// Dialect is what differs between the SQL databases the store runs on. The
// SQL itself is shared: both take ON CONFLICT upserts, RETURNING,
// FILTER (WHERE ...) and the same functions.
type Dialect struct {
	// Name is the database's: "sqlite" or "postgres".
	Name string
	// Numbered databases take $1, $2, ... (PostgreSQL) instead of the ?
	// placeholders the queries are written with.
	Numbered bool
	// Time is the argument that stores t, which is in UTC on the
	// microsecond. Whatever it stores, the column must read back as a
	// time.Time or as text in the TextTime layout.
	Time func(t time.Time) any
	// IsUnique reports whether err is a UNIQUE or PRIMARY KEY violation,
	// IsForeignKey whether it is a FOREIGN KEY violation.
	IsUnique, IsForeignKey func(err error) bool
	// Constraint names the constraint or unique index err violates, ""
	// when err is no violation or the database does not say.
	Constraint func(err error) string
	// NextID is the statement that draws the next id of the sequence bots
	// and dialogs share (objects) and returns it.
	NextID string
	// RowLocks says that write transactions run side by side, so those
	// that read rows they then change lock them (SELECT ... FOR UPDATE)
	// to take turns. Without it, write transactions run one at a time
	// (SQLite's, behind a Config.Queue of one slot) and nothing is locked.
	RowLocks bool
	// Bytewise is the collation that orders text by its bytes.
	Bytewise string
	// Text finds dialogs by the words of their messages, in the
	// database's full-text index.
	Text rules.TextSearch
	// TextCatchUp, when set, are the statements that bring the full-text
	// index up to date, run in one write transaction before a search: an
	// index kept in batches rather than in every turn's transaction.
	TextCatchUp []string
	// TextBehind, with TextCatchUp, is a read answering whether the index
	// lacks a stored message, so a search that finds it up to date does
	// not take a turn at the writer.
	TextBehind string
	// TextForget, when set, takes a dialog's messages (the one argument is
	// its id) out of the full-text index before they are deleted: an
	// index whose rows are not deleted with the messages'.
	TextForget string
	// TextForgetMessage is TextForget for one message (the arguments are
	// its dialog's id and its seq).
	TextForgetMessage string
	// Snapshot are the options of a read transaction that must see one
	// state of the database throughout; nil for the default.
	Snapshot *sql.TxOptions
}

// TextTime is the layout of a time stored as text (SQLite's): fixed width,
// so stored times sort as text.
const TextTime = "2006-01-02T15:04:05.000000Z"

// lock returns clause (FOR UPDATE, FOR NO KEY UPDATE, ...) after a space
// for a database that locks rows, and "" for one that does not or for an
// empty clause.
func (t *tx) lock(clause string) string {
	if !t.db.dialect.RowLocks || clause == "" {
		return ""
	}
	return " " + clause
}

// rebind returns query with its ? placeholders in the dialect's form,
// rewriting each query text once.
func (d *DB) rebind(query string) string {
	if !d.dialect.Numbered {
		return query
	}
	if q, ok := d.rebound.Load(query); ok {
		return q.(string)
	}
	q := number(query)
	d.rebound.Store(query, q)
	return q
}

// number replaces the ? placeholders of query with $1, $2, ..., leaving
// quoted strings and identifiers as they are.
func number(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	var quote byte // the quote of the string or identifier we are in, or 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0 // a doubled quote closes and reopens: same result
			}
		case c == '\'' || c == '"':
			quote = c
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// marks returns n placeholders separated by commas, for IN (...).
func marks(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// isUnique reports whether err is a UNIQUE or PRIMARY KEY violation.
func (d *DB) isUnique(err error) bool { return err != nil && d.dialect.IsUnique(err) }

// isForeignKey reports whether err is a FOREIGN KEY violation.
func (d *DB) isForeignKey(err error) bool { return err != nil && d.dialect.IsForeignKey(err) }

// violates reports whether err violates the named constraint or unique
// index, as far as the database says.
func (d *DB) violates(err error, constraint string) bool {
	return err != nil && d.dialect.Constraint(err) == constraint
}

// lockRows runs query, a SELECT ... FOR UPDATE, for the rows it locks, on a
// database that locks rows; elsewhere it does nothing.
func (t *tx) lockRows(ctx context.Context, query string, args ...any) error {
	if !t.db.dialect.RowLocks {
		return nil
	}
	_, err := t.exec(ctx, query, args...)
	return err
}
