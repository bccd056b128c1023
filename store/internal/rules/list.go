package rules

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

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
// changed. EINVALID for a negative Limit or Offset, a Limit over
// MaxDialogLimit, a Status, Mode or HandoffStatus that is none of the
// store's, or a Text without a word.
func DialogFilter(f store.DialogFilter) (store.DialogFilter, error) {
	switch {
	case f.Limit < 0 || f.Limit > MaxDialogLimit:
		return store.DialogFilter{}, store.Errorf(store.EINVALID, "The page size must be between 1 and %d.", MaxDialogLimit)
	case f.Offset < 0:
		return store.DialogFilter{}, store.Errorf(store.EINVALID, "The page offset must not be negative.")
	case f.Text != "" && len(TextWords(f.Text)) == 0:
		return store.DialogFilter{}, store.Errorf(store.EINVALID, "The text to search for has no word in it: give it letters or digits.")
	}
	for _, e := range []struct {
		name, value string
		allowed     []string
	}{
		{"status", f.Status, DialogStatuses},
		{"mode", f.Mode, DialogModes},
		{"handoff status", f.HandoffStatus, HandoffStatuses},
	} {
		if e.value != "" && !slices.Contains(e.allowed, e.value) {
			return store.DialogFilter{}, store.Errorf(store.EINVALID, "The %s %q is none of %s.", e.name, e.value, strings.Join(e.allowed, ", "))
		}
	}
	if f.Limit == 0 {
		f.Limit = DefaultDialogLimit
	}
	f.CreatedFrom, f.UpdatedFrom, f.LastUserFrom = from(f.CreatedFrom), from(f.UpdatedFrom), from(f.LastUserFrom)
	f.CreatedTo, f.UpdatedTo, f.LastUserTo = to(f.CreatedTo), to(f.UpdatedTo), to(f.LastUserTo)
	if f.After != nil {
		after := *f.After
		after.UpdatedAt = clamp(Time(after.UpdatedAt))
		f.After = &after
	}
	return f, nil
}

// The values a dialog's status, mode and handoff status take.
var (
	DialogStatuses = []string{store.StatusCreated, store.StatusInProcess, store.StatusOperator,
		store.StatusCompleted, store.StatusInterrupted, store.StatusError}
	DialogModes     = []string{store.ModeAuto, store.ModeManual, store.ModeOperator, store.ModeBlocked}
	HandoffStatuses = []string{store.HandoffNone, store.HandoffRequested, store.HandoffActive, store.HandoffReleased}
)

// TextWords are the words of a text search: its runs of letters and
// digits, as both stores' full-text indexes cut text into words.
func TextWords(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
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

// TextSearch is how a store finds dialogs by the words of their messages:
// Cond is the condition on dialogs (with %s for the placeholder of the
// argument Arg makes of the words).
type TextSearch struct {
	Cond string
	Arg  func(words []string) any
}

// DialogWhere returns the WHERE condition that selects a project's dialogs
// matching f (as DialogFilter returns it) and its arguments. param writes
// the placeholder of the nth argument, from 1; bound converts a time bound
// to the store's form; text is the store's full-text search. A NULL
// last_user_at fails every comparison, so a dialog without one never
// matches a LastUser bound.
func DialogWhere(projectID int64, f store.DialogFilter, param func(n int) string, bound func(time.Time) any, text TextSearch) (string, []any) {
	var conds []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return param(len(args))
	}
	add := func(cond string, v any) { conds = append(conds, cond+" "+arg(v)) }
	add("project_id =", projectID)
	conds = append(conds, "deleted_at IS NULL")
	if f.BotID != 0 {
		add("bot_id =", f.BotID)
	}
	if f.ChannelID != 0 {
		add("channel_id =", f.ChannelID)
	}
	for _, e := range []struct{ cond, value string }{
		{"status =", f.Status}, {"mode =", f.Mode}, {"handoff_status =", f.HandoffStatus}, {"user_id =", f.UserID},
	} {
		if e.value != "" {
			add(e.cond, e.value)
		}
	}
	if f.Queue != "" {
		add("handoff_status IN ('requested', 'active') AND handoff_queue =", f.Queue)
	}
	if f.Node != "" {
		add("status NOT IN ('completed', 'interrupted', 'error') AND node =", f.Node)
	}
	if f.Live {
		conds = append(conds, "status NOT IN ('completed', 'interrupted', 'error')")
	}
	if f.Ended {
		conds = append(conds, "status IN ('completed', 'interrupted', 'error')")
	}
	if f.ChannelKind != "" {
		add("channel_id IN (SELECT id FROM channels WHERE kind =", f.ChannelKind)
		conds[len(conds)-1] += ")"
	}
	for _, b := range []struct {
		cond string
		t    *time.Time
	}{
		{"created_at >=", f.CreatedFrom},
		{"created_at <=", f.CreatedTo},
		{"updated_at >=", f.UpdatedFrom},
		{"updated_at <=", f.UpdatedTo},
		{"last_user_at >=", f.LastUserFrom},
		{"last_user_at <=", f.LastUserTo},
	} {
		if b.t != nil {
			add(b.cond, bound(*b.t))
		}
	}
	if f.After != nil {
		conds = append(conds, fmt.Sprintf("(updated_at, id) < (%s, %s)", arg(bound(f.After.UpdatedAt)), arg(f.After.ID)))
	}
	if f.Text != "" {
		conds = append(conds, fmt.Sprintf(text.Cond, arg(text.Arg(TextWords(f.Text)))))
	}
	return strings.Join(conds, " AND "), args
}
