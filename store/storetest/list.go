package storetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/parleyhq/parley/store"
)

// none is a seeded dialog's LastUserAt minute when it has none.
const none = -1

// listSeed is a dialog testListDialogs seeds, its times in minutes (see at).
type listSeed struct {
	name    string
	other   bool       // in the other project
	bot     *store.Bot // nil: no bot
	created int
	updated int // 0: never updated, so UpdatedAt is CreatedAt
	user    int // LastUserAt; none for no respondent's message
}

// testListDialogs seeds dialogs of two projects whose CreatedAt, UpdatedAt
// and LastUserAt are set apart so that ordering by UpdatedAt, filtering on
// LastUserAt and filtering on CreatedAt each give a different answer, and
// the other project's dialogs would show among the first ones if the
// project did not filter.
func testListDialogs(t *testing.T, s store.Store) {
	ctx := t.Context()
	clock := s.(Clock) // Run's open returns one
	var now time.Time
	clock.SetNow(func() time.Time { return now })

	p, q := newProject(t, s), newProject(t, s)
	a, b, c := newBot(t, s, p.ID), newBot(t, s, p.ID), newBot(t, s, q.ID)
	// In order of creation, so ids rise with CreatedAt. p5 and p6 were
	// updated at the same time: p6, the greater id, comes first.
	seeds := []listSeed{
		{"p1", false, a, 1, 20, 10},
		{"p2", false, b, 2, 12, 12},
		{"q1", true, c, 2, 21, 11},
		{"p3", false, a, 3, 0, none},
		{"p4", false, b, 4, 25, 5},
		{"p5", false, nil, 5, 18, 18},
		{"q2", true, c, 5, 19, 15},
		{"p6", false, a, 6, 18, 15},
		{"p7", false, b, 7, 30, none},
		{"q3", true, nil, 7, 40, 30},
		{"p8", false, a, 8, 22, 22},
		{"p9", false, b, 9, 11, none},
	}
	dialogs := map[string]store.Dialog{}
	for i, sd := range seeds {
		project, botID := p, int64(0)
		if sd.other {
			project = q
		}
		if sd.bot != nil {
			botID = sd.bot.ID
		}
		now = at(sd.created)
		// Turn 1, as the engine creates a dialog.
		d := &store.Dialog{ProjectID: project.ID, Source: "api", DialogState: store.DialogState{StateSeq: 1, BotID: botID,
			Version: 1, Status: store.StatusCreated, Mode: store.ModeAuto, Variables: map[string]any{}}}
		noErr(t, s.CreateDialog(ctx, d))
		if sd.updated != 0 {
			st := store.DialogState{DialogID: d.ID, StateSeq: 2, BotID: botID, Version: 1, Status: store.StatusInProcess,
				Mode: store.ModeAuto, Node: "ask", Variables: map[string]any{"name": sd.name}, PendingCount: 1,
				Title: "Dialog " + sd.name, UpdatedAt: at(sd.updated)}
			if sd.user != none {
				last := at(sd.user)
				st.LastUserAt = &last
			}
			if i%2 == 0 {
				// Stored as a turn, which moves StoredThrough too.
				noErr(t, s.SaveTurn(ctx, store.Turn{Messages: []store.Message{message(d, 2, "Hi")}, State: &st}))
			} else {
				noErr(t, s.SaveDialogState(ctx, st))
			}
		}
		got, err := s.Dialog(ctx, project.ID, d.UUID)
		noErr(t, err)
		// The seed is what the cases below assume.
		updated, user := sd.updated, (*time.Time)(nil)
		if updated == 0 {
			updated = sd.created
		}
		if sd.user != none {
			u := utc(sd.user)
			user = &u
		}
		through := int64(1)
		if sd.updated != 0 && i%2 == 0 {
			through = 2
		}
		if !got.CreatedAt.Equal(utc(sd.created)) || !got.UpdatedAt.Equal(utc(updated)) || !equalTimes(got.LastUserAt, user) ||
			got.StoredThrough != through {
			t.Fatalf("seeded %s: CreatedAt %v, UpdatedAt %v, LastUserAt %v, StoredThrough %d; want %v, %v, %v, %d", sd.name,
				got.CreatedAt, got.UpdatedAt, got.LastUserAt, got.StoredThrough, utc(sd.created), utc(updated), user, through)
		}
		dialogs[sd.name] = *got
	}
	// want is the named dialogs as Dialog returns them; never nil.
	want := func(names ...string) []store.Dialog {
		out := make([]store.Dialog, 0, len(names))
		for _, n := range names {
			out = append(out, dialogs[n])
		}
		return out
	}
	list := func(t *testing.T, projectID int64, f store.DialogFilter) ([]store.Dialog, int) {
		t.Helper()
		got, total, err := s.ListDialogs(ctx, projectID, f)
		noErr(t, err)
		return got, total
	}
	ptr := func(t time.Time) *time.Time { return &t }
	all := []string{"p7", "p4", "p8", "p1", "p6", "p5", "p2", "p9", "p3"}
	withUser := []string{"p4", "p8", "p1", "p6", "p5", "p2"}

	for _, c := range []struct {
		name string
		f    store.DialogFilter
		want []string
	}{
		{"no filter: most recently updated first", store.DialogFilter{}, all},
		{"bot", store.DialogFilter{BotID: a.ID}, []string{"p8", "p1", "p6", "p3"}},
		{"other bot", store.DialogFilter{BotID: b.ID}, []string{"p7", "p4", "p2", "p9"}},
		{"another project's bot", store.DialogFilter{BotID: c.ID}, nil},
		{"unknown bot", store.DialogFilter{BotID: 999_999}, nil},

		{"CreatedFrom inclusive", store.DialogFilter{CreatedFrom: ptr(at(6))}, []string{"p7", "p8", "p6", "p9"}},
		{"CreatedFrom just after a CreatedAt", store.DialogFilter{CreatedFrom: ptr(at(6).Add(time.Nanosecond))}, []string{"p7", "p8", "p9"}},
		{"CreatedFrom in another zone", store.DialogFilter{CreatedFrom: ptr(at(6).In(time.FixedZone("UTC-8", -8*60*60)))},
			[]string{"p7", "p8", "p6", "p9"}},
		{"CreatedTo inclusive", store.DialogFilter{CreatedTo: ptr(at(3))}, []string{"p1", "p2", "p3"}},
		{"CreatedTo within the microsecond after a CreatedAt", store.DialogFilter{CreatedTo: ptr(at(3).Add(999 * time.Nanosecond))},
			[]string{"p1", "p2", "p3"}},
		{"CreatedTo just before a CreatedAt", store.DialogFilter{CreatedTo: ptr(at(3).Add(-time.Nanosecond))}, []string{"p1", "p2"}},

		// Updated bounds are on LastUserAt, not UpdatedAt: p4, updated
		// last but for a user at 5, is not from 15; p7, updated at 30
		// without a respondent's message, matches no bound.
		{"LastUserFrom inclusive, on LastUserAt", store.DialogFilter{LastUserFrom: ptr(at(15))}, []string{"p8", "p6", "p5"}},
		{"LastUserFrom just after a LastUserAt", store.DialogFilter{LastUserFrom: ptr(at(15).Add(time.Nanosecond))}, []string{"p8", "p5"}},
		{"LastUserTo inclusive, on LastUserAt", store.DialogFilter{LastUserTo: ptr(at(12))}, []string{"p4", "p1", "p2"}},
		{"LastUserTo just before a LastUserAt", store.DialogFilter{LastUserTo: ptr(at(12).Add(-time.Nanosecond))}, []string{"p4", "p1"}},
		{"LastUserFrom before all leaves out dialogs without LastUserAt", store.DialogFilter{LastUserFrom: ptr(at(0))}, withUser},
		{"LastUserTo after all leaves out dialogs without LastUserAt", store.DialogFilter{LastUserTo: ptr(at(59))}, withUser},

		{"bot and an Updated range with exact bounds", store.DialogFilter{BotID: b.ID, LastUserFrom: ptr(at(5)), LastUserTo: ptr(at(12))},
			[]string{"p4", "p2"}},
		{"Created range with exact bounds", store.DialogFilter{CreatedFrom: ptr(at(2)), CreatedTo: ptr(at(6))},
			[]string{"p4", "p6", "p5", "p2", "p3"}},
		{"every filter, exact bounds", store.DialogFilter{BotID: a.ID, CreatedFrom: ptr(at(1)), CreatedTo: ptr(at(8)),
			LastUserFrom: ptr(at(10)), LastUserTo: ptr(at(22))}, []string{"p8", "p1", "p6"}},
		{"From after To", store.DialogFilter{CreatedFrom: ptr(at(7)), CreatedTo: ptr(at(6))}, nil},
		{"bounds far apart", store.DialogFilter{CreatedFrom: ptr(time.Time{}), CreatedTo: ptr(time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)),
			LastUserFrom: ptr(time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC)), LastUserTo: ptr(time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC))}, withUser},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, total := list(t, p.ID, c.f)
			same(t, "dialogs", got, want(c.want...))
			if total != len(c.want) {
				t.Errorf("total %d, want %d", total, len(c.want))
			}
		})
	}

	t.Run("another project's dialogs", func(t *testing.T) {
		got, total := list(t, q.ID, store.DialogFilter{})
		same(t, "dialogs", got, want("q3", "q1", "q2"))
		if total != 3 {
			t.Errorf("total %d, want 3", total)
		}
		got, total = list(t, q.ID, store.DialogFilter{BotID: a.ID})
		same(t, "dialogs of a bot of the first project", got, want())
		if total != 0 {
			t.Errorf("total %d, want 0", total)
		}
		got, total = list(t, 999_999, store.DialogFilter{})
		same(t, "dialogs of an unknown project", got, want())
		if total != 0 {
			t.Errorf("total %d, want 0", total)
		}
	})

	t.Run("pages cover all", func(t *testing.T) {
		for limit := 1; limit <= len(all)+1; limit++ {
			var pages []store.Dialog
			for offset := 0; offset < len(all); offset += limit {
				got, total := list(t, p.ID, store.DialogFilter{Limit: limit, Offset: offset})
				if total != len(all) {
					t.Errorf("limit %d, offset %d: total %d, want %d", limit, offset, total, len(all))
				}
				if n := min(limit, len(all)-offset); len(got) != n {
					t.Errorf("limit %d, offset %d: %d dialogs, want %d", limit, offset, len(got), n)
				}
				pages = append(pages, got...)
			}
			same(t, fmt.Sprintf("limit %d: pages", limit), pages, want(all...))
		}
	})
	for _, c := range []struct {
		name string
		f    store.DialogFilter
		want []string
	}{
		{"first page", store.DialogFilter{Limit: 4}, all[:4]},
		{"middle page", store.DialogFilter{Limit: 4, Offset: 4}, all[4:8]},
		{"last partial page", store.DialogFilter{Limit: 4, Offset: 8}, all[8:]},
		{"page splitting a tie", store.DialogFilter{Limit: 1, Offset: 5}, []string{"p5"}},
		{"offset at the end", store.DialogFilter{Limit: 4, Offset: 9}, nil},
		{"offset past the end", store.DialogFilter{Offset: 1000}, nil},
		{"largest limit", store.DialogFilter{Limit: 1000}, all},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, total := list(t, p.ID, c.f)
			same(t, "dialogs", got, want(c.want...))
			if total != len(all) {
				t.Errorf("total %d, want %d", total, len(all))
			}
		})
	}
	t.Run("filtered pages", func(t *testing.T) {
		f := store.DialogFilter{BotID: a.ID, Limit: 3}
		got, total := list(t, p.ID, f)
		same(t, "first page", got, want("p8", "p1", "p6"))
		f.Offset = 3
		got2, total2 := list(t, p.ID, f)
		same(t, "second page", got2, want("p3"))
		f.Offset = 4
		got3, total3 := list(t, p.ID, f)
		same(t, "past the end", got3, want())
		if total != 4 || total2 != 4 || total3 != 4 {
			t.Errorf("totals %d, %d, %d; want 4", total, total2, total3)
		}
	})

	t.Run("default page size", func(t *testing.T) {
		// Dialogs created and updated at one time: by id, the newest first.
		r := newProject(t, s)
		now = at(50)
		var ids []int64
		for range 41 {
			ids = append([]int64{newDialog(t, s, r.ID, 0).ID}, ids...)
		}
		got, total := list(t, r.ID, store.DialogFilter{})
		var gotIDs []int64
		for _, d := range got {
			gotIDs = append(gotIDs, d.ID)
		}
		same(t, "ids", gotIDs, ids[:40])
		if total != 41 {
			t.Errorf("total %d, want 41", total)
		}
	})

	for _, c := range []struct {
		name string
		f    store.DialogFilter
	}{
		{"negative limit", store.DialogFilter{Limit: -1}},
		{"limit over 1000", store.DialogFilter{Limit: 1001}},
		{"negative offset", store.DialogFilter{Offset: -1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := s.ListDialogs(ctx, p.ID, c.f)
			wantCode(t, err, store.EINVALID)
		})
	}
}

// equalTimes reports whether two optional times are both nil or equal.
func equalTimes(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}
