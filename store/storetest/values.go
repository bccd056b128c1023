package storetest

import (
	"testing"
	"time"

	"github.com/parleyhq/parley/store"
)

// testValues checks what survives a trip through the database: JSON, times
// and awkward text.
func testValues(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newProject(t, s)
	variables := func(t *testing.T, vars map[string]any) map[string]any {
		t.Helper()
		d := &store.Dialog{ProjectID: p.ID, DialogState: store.DialogState{Variables: vars}}
		noErr(t, s.CreateDialog(ctx, d))
		got, err := s.DialogByID(ctx, p.ID, d.ID)
		noErr(t, err)
		return got.Variables
	}
	for _, c := range []struct {
		name string
		vars map[string]any
		want map[string]any
	}{
		{"nil variables", nil, nil},
		{"empty variables", map[string]any{}, map[string]any{}},
		{"variables of every JSON type", map[string]any{
			"s": "text \u0000 with NUL", "f": 1.25, "big": 1e15, "b": true, "null": nil,
			"list": []any{"a", 1.0, false}, "map": map[string]any{"nested": map[string]any{"k": "v"}},
		}, map[string]any{
			"s": "text \u0000 with NUL", "f": 1.25, "big": 1e15, "b": true, "null": nil,
			"list": []any{"a", 1.0, false}, "map": map[string]any{"nested": map[string]any{"k": "v"}},
		}},
		{"numbers come back as float64", map[string]any{"i": 3, "i64": int64(-7)}, map[string]any{"i": 3.0, "i64": -7.0}},
	} {
		t.Run(c.name, func(t *testing.T) {
			same(t, "Variables", variables(t, c.vars), c.want)
		})
	}

	d := newDialog(t, s, p.ID, 0)
	roundTrip := func(t *testing.T, m store.Message) store.Message {
		t.Helper()
		noErr(t, s.AppendMessages(ctx, []store.Message{m}))
		got, err := s.Messages(ctx, d.ID)
		noErr(t, err)
		for _, g := range got {
			if g.Seq == m.Seq {
				return g
			}
		}
		t.Fatalf("message %d not stored", m.Seq)
		return store.Message{}
	}
	t.Run("times in UTC to the millisecond", func(t *testing.T) {
		sent := time.Date(2025, 6, 7, 8, 9, 10, 123_456_789, time.FixedZone("PST", -8*60*60))
		got := roundTrip(t, store.Message{ID: "t1", DialogID: d.ID, Seq: 1, CreatedAt: sent}).CreatedAt
		if got.Location() != time.UTC {
			t.Errorf("location %v, want UTC", got.Location())
		}
		if diff := got.Sub(sent).Abs(); diff >= time.Millisecond {
			t.Errorf("CreatedAt %v, want %v within a millisecond", got, sent)
		}
	})
	t.Run("zero time kept", func(t *testing.T) {
		got := roundTrip(t, store.Message{ID: "t2", DialogID: d.ID, Seq: 2}).CreatedAt
		if !got.IsZero() {
			t.Errorf("CreatedAt %v, want the zero time", got)
		}
	})
	t.Run("NUL and invalid UTF-8 become U+FFFD", func(t *testing.T) {
		got := roundTrip(t, store.Message{ID: "t3", DialogID: d.ID, Seq: 3, Text: "a\x00b\xffc", Buttons: []string{"\x00"}})
		if got.Text != "a\uFFFDb\uFFFDc" {
			t.Errorf("Text %q, want %q", got.Text, "a\uFFFDb\uFFFDc")
		}
		same(t, "Buttons", got.Buttons, []string{"\x00"}) // JSON escapes it
	})
	t.Run("unicode kept", func(t *testing.T) {
		text := "Привет 👋 — 你好"
		if got := roundTrip(t, store.Message{ID: "t4", DialogID: d.ID, Seq: 4, Text: text}); got.Text != text {
			t.Errorf("Text %q, want %q", got.Text, text)
		}
	})
}
