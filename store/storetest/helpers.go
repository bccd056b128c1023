package storetest

import (
	"fmt"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley/store"
)

// wantCode fails the test unless err carries the code.
func wantCode(t *testing.T, err error, want string) {
	t.Helper()
	if got := store.ErrorCode(err); got != want {
		t.Fatalf("error code = %q (%v), want %q", got, err, want)
	}
}

// noErr fails the test on an error.
func noErr(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// same fails the test unless got and want are deeply equal.
func same[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %s\nwant %s", what, show(got), show(want))
	}
}

// show prints a value with pointers followed, so times and records compare
// readably in failures.
func show(v any) string {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	if rv.Kind() == reflect.Struct {
		s := "{"
		for i := range rv.NumField() {
			f := rv.Field(i)
			if f.Kind() == reflect.Pointer && !f.IsNil() {
				f = f.Elem()
			}
			s += fmt.Sprintf("%s:%+v ", rv.Type().Field(i).Name, f.Interface())
		}
		return s + "}"
	}
	return fmt.Sprintf("%+v", v)
}

// inUTC fails the test unless tm is a non-zero time in UTC.
func inUTC(t *testing.T, what string, tm time.Time) {
	t.Helper()
	if tm.IsZero() || tm.Location() != time.UTC {
		t.Errorf("%s = %v, want a time in UTC", what, tm)
	}
}

var names atomic.Int64

// unique returns a name no other call returns.
func unique(prefix string) string { return fmt.Sprintf("%s-%d", prefix, names.Add(1)) }

// newProject creates an organization and a project in it.
func newProject(t testing.TB, s store.Store) *store.Project {
	t.Helper()
	o, err := s.CreateOrganization(t.Context(), unique("org"))
	noErr(t, err)
	p, err := s.CreateProject(t.Context(), o.ID, unique("project"))
	noErr(t, err)
	return p
}

// newBot publishes a one-version bot in the project.
func newBot(t testing.TB, s store.Store, projectID int64) *store.Bot {
	t.Helper()
	slug := unique("bot")
	out, err := s.PublishFlow(t.Context(), store.Publish{ProjectID: projectID, Slug: slug, Source: "name: " + slug})
	noErr(t, err)
	return out.Bot
}

// newDialog creates a dialog of the bot in the project.
func newDialog(t testing.TB, s store.Store, projectID, botID int64) *store.Dialog {
	t.Helper()
	d := &store.Dialog{ProjectID: projectID, Source: "api",
		DialogState: store.DialogState{BotID: botID, Version: 1, Status: store.StatusCreated, Mode: store.ModeAuto}}
	noErr(t, s.CreateDialog(t.Context(), d))
	return d
}

// at is a fixed time in a zone other than UTC, with milliseconds, which
// every implementation keeps exactly.
func at(minute int) time.Time {
	return time.Date(2025, 3, 4, 5, minute, 7, 123_000_000, time.FixedZone("UTC+3", 3*60*60))
}

// utc is at(minute) as the store returns it.
func utc(minute int) time.Time { return at(minute).UTC() }

// pluck lists one field of each item, never nil, so an empty list compares
// equal to []T{}.
func pluck[T, F any](items []T, field func(T) F) []F {
	out := make([]F, 0, len(items))
	for _, it := range items {
		out = append(out, field(it))
	}
	return out
}
