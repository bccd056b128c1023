package rules

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/store"
)

func TestDialogFilter(t *testing.T) {
	zone := time.FixedZone("UTC+3", 3*60*60)
	exact := time.Date(2025, 3, 4, 5, 6, 7, 123_456_000, zone)
	between := exact.Add(500 * time.Nanosecond)
	f := store.DialogFilter{CreatedFrom: &between, CreatedTo: &between, LastUserFrom: &exact, LastUserTo: &exact}
	got, err := DialogFilter(f)
	if err != nil {
		t.Fatal(err)
	}
	up, down := exact.UTC().Add(time.Microsecond), exact.UTC()
	for _, c := range []struct {
		name      string
		got, want *time.Time
	}{
		{"From between microseconds", got.CreatedFrom, &up},
		{"To between microseconds", got.CreatedTo, &down},
		{"exact From", got.LastUserFrom, &down},
		{"exact To", got.LastUserTo, &down},
	} {
		if *c.got != *c.want {
			t.Errorf("%s: %v, want %v", c.name, *c.got, *c.want)
		}
	}
	if got.Limit != DefaultDialogLimit {
		t.Errorf("Limit %d, want %d", got.Limit, DefaultDialogLimit)
	}
	if *f.CreatedFrom != between || f.CreatedFrom == got.CreatedFrom {
		t.Error("DialogFilter changed the caller's bound")
	}

	early, late := time.Date(-3, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	got, err = DialogFilter(store.DialogFilter{CreatedFrom: &early, CreatedTo: &late, LastUserFrom: &late, LastUserTo: &early, Limit: 7})
	if err != nil {
		t.Fatal(err)
	}
	if *got.CreatedFrom != minBound || *got.LastUserTo != minBound || *got.CreatedTo != maxBound || *got.LastUserFrom != maxBound {
		t.Errorf("bounds %v, %v, %v, %v; want them within %v and %v", *got.CreatedFrom, *got.CreatedTo, *got.LastUserFrom,
			*got.LastUserTo, minBound, maxBound)
	}
	if got.Limit != 7 {
		t.Errorf("Limit %d, want 7", got.Limit)
	}

	for _, f := range []store.DialogFilter{{Limit: -1}, {Limit: MaxDialogLimit + 1}, {Offset: -1},
		{Status: "open"}, {Mode: "bot"}, {HandoffStatus: "taken"}, {Text: "?! -"}} {
		if _, err := DialogFilter(f); store.ErrorCode(err) != store.EINVALID {
			t.Errorf("DialogFilter(%+v) = %v, want EINVALID", f, err)
		}
	}
}

func TestDialogWhere(t *testing.T) {
	from, to := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	param := func(n int) string { return "$" + strconv.Itoa(n) }
	bound := func(t time.Time) any { return t.Format(time.DateOnly) }
	for _, c := range []struct {
		f     store.DialogFilter
		where string
		args  []any
	}{
		{store.DialogFilter{}, "project_id = $1 AND deleted_at IS NULL", []any{int64(7)}},
		{store.DialogFilter{BotID: 9, CreatedFrom: &from, CreatedTo: &to, LastUserFrom: &from, LastUserTo: &to},
			"project_id = $1 AND deleted_at IS NULL AND bot_id = $2 AND created_at >= $3 AND created_at <= $4 AND last_user_at >= $5 AND last_user_at <= $6",
			[]any{int64(7), int64(9), "2025-01-01", "2025-02-01", "2025-01-01", "2025-02-01"}},
		{store.DialogFilter{LastUserTo: &to}, "project_id = $1 AND deleted_at IS NULL AND last_user_at <= $2", []any{int64(7), "2025-02-01"}},
		{store.DialogFilter{Status: "created", Mode: "auto", HandoffStatus: "none", UserID: "u", Queue: "q", Node: "n"},
			"project_id = $1 AND deleted_at IS NULL AND status = $2 AND mode = $3 AND handoff_status = $4 AND user_id = $5 AND " +
				"handoff_status IN ('requested', 'active') AND handoff_queue = $6 AND " +
				"status NOT IN ('completed', 'interrupted', 'error') AND node = $7",
			[]any{int64(7), "created", "auto", "none", "u", "q", "n"}},
		{store.DialogFilter{UpdatedFrom: &from, UpdatedTo: &to, After: &store.DialogCursor{UpdatedAt: to, ID: 3}, Text: "a, b"},
			"project_id = $1 AND deleted_at IS NULL AND updated_at >= $2 AND updated_at <= $3 AND (updated_at, id) < ($4, $5) AND text($6)",
			[]any{int64(7), "2025-01-01", "2025-02-01", "2025-02-01", int64(3), "a+b"}},
	} {
		text := TextSearch{Cond: "text(%s)", Arg: func(words []string) any { return strings.Join(words, "+") }}
		where, args := DialogWhere(7, c.f, param, bound, text)
		if where != c.where || len(args) != len(c.args) {
			t.Errorf("DialogWhere(%+v) = %q, %v; want %q, %v", c.f, where, args, c.where, c.args)
			continue
		}
		for i := range args {
			if args[i] != c.args[i] {
				t.Errorf("DialogWhere(%+v) args %v, want %v", c.f, args, c.args)
				break
			}
		}
	}
}
