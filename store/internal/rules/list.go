package rules

import (
	"strings"
	"time"

	"github.com/parleyhq/parley/store"
)

// A dialog list's page size: store.DialogFilter's Limit.
const (
	DefaultDialogLimit = 40
	MaxDialogLimit     = 1000
)

// DialogOrder is the ORDER BY of a dialog list: the most recently updated
// first, ties broken by id so pages never overlap or skip.
const DialogOrder = `ORDER BY updated_at DESC, id DESC`

// The times both databases can compare: SQLite compares times as text,
// which sorts right for four-digit years only.
var (
	minBound = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxBound = time.Date(9999, 12, 31, 23, 59, 59, 999_999_000, time.UTC)
)

// DialogFilter returns f ready to query, with Limit 0 made the default and
// its time bounds put where stored times lie: in UTC, on the microsecond
// both databases keep (a From bound rounded up and a To bound down, so a
// bound between two microseconds matches exactly the times the exact bound
// would) and within the years 1 to 9999. The caller's times are not
// changed. EINVALID for a negative Limit or Offset or a Limit over
// MaxDialogLimit.
func DialogFilter(f store.DialogFilter) (store.DialogFilter, error) {
	switch {
	case f.Limit < 0 || f.Limit > MaxDialogLimit:
		return store.DialogFilter{}, store.Errorf(store.EINVALID, "The page size must be between 1 and %d.", MaxDialogLimit)
	case f.Offset < 0:
		return store.DialogFilter{}, store.Errorf(store.EINVALID, "The page offset must not be negative.")
	}
	if f.Limit == 0 {
		f.Limit = DefaultDialogLimit
	}
	f.CreatedFrom, f.UpdatedFrom = from(f.CreatedFrom), from(f.UpdatedFrom)
	f.CreatedTo, f.UpdatedTo = to(f.CreatedTo), to(f.UpdatedTo)
	return f, nil
}

// from is an inclusive lower bound as DialogFilter returns it.
func from(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	if v := u.Truncate(time.Microsecond); v.Before(u) {
		u = v.Add(time.Microsecond)
	}
	u = clamp(u)
	return &u
}

// to is an inclusive upper bound as DialogFilter returns it.
func to(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := clamp(Time(*t))
	return &u
}

// clamp returns t within [minBound, maxBound].
func clamp(t time.Time) time.Time {
	switch {
	case t.Before(minBound):
		return minBound
	case t.After(maxBound):
		return maxBound
	}
	return t
}

// DialogWhere returns the WHERE condition that selects a project's dialogs
// matching f (as DialogFilter returns it) and its arguments. param writes
// the placeholder of the nth argument, from 1; bound converts a time bound
// to the store's form. A NULL last_user_at fails every comparison, so a
// dialog without one never matches an Updated bound.
func DialogWhere(projectID int64, f store.DialogFilter, param func(n int) string, bound func(time.Time) any) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, arg any) {
		args = append(args, arg)
		conds = append(conds, cond+" "+param(len(args)))
	}
	add("project_id =", projectID)
	if f.BotID != 0 {
		add("bot_id =", f.BotID)
	}
	for _, b := range []struct {
		cond string
		t    *time.Time
	}{
		{"created_at >=", f.CreatedFrom},
		{"created_at <=", f.CreatedTo},
		{"last_user_at >=", f.UpdatedFrom},
		{"last_user_at <=", f.UpdatedTo},
	} {
		if b.t != nil {
			add(b.cond, bound(*b.t))
		}
	}
	return strings.Join(conds, " AND "), args
}
