package sqlite

import (
	"errors"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/parleyhq/parley/store/internal/rules"
	"github.com/parleyhq/parley/store/internal/sqldb"
)

// dialect is SQLite's: ? placeholders; times as fixed-width text in UTC
// (sqldb.TextTime), which every existing database holds; ids of bots and
// dialogs from the sequences table; no row locks, as the writer queue runs
// one write transaction at a time; reads in a plain transaction, which WAL
// gives one snapshot.
var dialect = sqldb.Dialect{
	Name:         "sqlite",
	Time:         func(t time.Time) any { return t.Format(sqldb.TextTime) },
	IsUnique:     isUnique,
	IsForeignKey: isForeignKey,
	// SQLite's message names the columns, not the index.
	Constraint: func(error) string { return "" },
	NextID:     `UPDATE sequences SET value = value + 1 WHERE name = 'objects' RETURNING value`,
	Bytewise:   "BINARY",
	Text: rules.TextSearch{
		Cond: `id IN (SELECT m.dialog_id FROM messages_fts JOIN messages m ON m.rowid = messages_fts.rowid WHERE messages_fts MATCH %s)`,
		Arg:  ftsQuery,
	},
	// The FTS5 index takes messages in batches before a search: in the
	// turn's transaction it doubled what storing a turn costs.
	TextCatchUp: []string{
		`INSERT INTO messages_fts (rowid, text) SELECT rowid, text FROM messages
			WHERE rowid > (SELECT indexed_through FROM fts_progress) ORDER BY rowid`,
		`UPDATE fts_progress SET indexed_through = (SELECT coalesce(max(rowid), 0) FROM messages)`,
	},
	TextBehind: `SELECT (SELECT coalesce(max(rowid), 0) FROM messages) > (SELECT indexed_through FROM fts_progress)`,
	// An external-content FTS5 index forgets a row only when told its
	// text; rows the catch-up has not reached are not in it.
	TextForget: `INSERT INTO messages_fts (messages_fts, rowid, text) SELECT 'delete', rowid, text FROM messages
		WHERE dialog_id = ? AND rowid <= (SELECT indexed_through FROM fts_progress)`,
	TextForgetMessage: `INSERT INTO messages_fts (messages_fts, rowid, text) SELECT 'delete', rowid, text FROM messages
		WHERE dialog_id = ? AND seq = ? AND rowid <= (SELECT indexed_through FROM fts_progress)`,
}

// ftsQuery is the FTS5 query for every word: each a quoted string, so
// none is read as an operator (AND, NEAR, column:...).
func ftsQuery(words []string) any {
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = `"` + strings.ReplaceAll(w, `"`, `""`) + `"`
	}
	return strings.Join(quoted, " ")
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
