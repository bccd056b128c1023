package storetest

import (
	"testing"
	"time"

	"github.com/parleyhq/parley/store"
)

// searchSeed is a dialog testSearchDialogs seeds: its state, updated at
// minute updated, and one message.
type searchSeed struct {
	name, status, mode, node, user string
	handoff                        *store.Handoff
	updated                        int
	text                           string
}

// testSearchDialogs covers the filters a support desk finds live dialogs
// with, the full-text search and keyset paging. ListDialogs covers bots,
// the time bounds on CreatedAt and LastUserAt, and offsets.
func testSearchDialogs(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, other := newProject(t, s), newProject(t, s)
	a, b, ob := newBot(t, s, p.ID), newBot(t, s, p.ID), newBot(t, s, other.ID)
	requested, active, released := &store.Handoff{Status: store.HandoffRequested, Queue: "billing"},
		&store.Handoff{Status: store.HandoffActive, Queue: "billing", OperatorID: "u1"},
		&store.Handoff{Status: store.HandoffReleased, Queue: "billing"}
	seeds := []searchSeed{
		{"d1", store.StatusInProcess, store.ModeAuto, "ask", "u1", nil, 10, "I want a refund for my order"},
		{"d2", store.StatusInProcess, store.ModeAuto, "pay", "u2", nil, 20, "Where is my ORDER?"},
		{"d3", store.StatusOperator, store.ModeOperator, "handoff", "u1", requested, 30, "refund, please!"},
		{"d4", store.StatusCompleted, store.ModeAuto, "ask", "", nil, 40, "Привет! Где мой заказ?"},
		{"d5", store.StatusOperator, store.ModeOperator, "handoff", "u3", active, 50, "hello"},
		{"d6", store.StatusInProcess, store.ModeAuto, "ask", "", released, 5, "thanks"},
	}
	ids := map[string]int64{}
	for i, sd := range seeds {
		bot := a
		if i%2 == 1 {
			bot = b
		}
		d := &store.Dialog{ProjectID: p.ID, Source: "api", UserID: sd.user,
			DialogState: store.DialogState{BotID: bot.ID, Version: 1, Status: store.StatusCreated, Mode: store.ModeAuto}}
		noErr(t, s.CreateDialog(ctx, d))
		st := turnState(d, 2, func(st *store.DialogState) {
			st.Status, st.Mode, st.Node, st.Handoff, st.UpdatedAt = sd.status, sd.mode, sd.node, sd.handoff, utc(sd.updated)
		})
		noErr(t, s.SaveTurn(ctx, store.Turn{Messages: []store.Message{message(d, 2, sd.text)}, State: &st}))
		ids[sd.name] = d.ID
	}
	// Another project's dialog that matches every filter below.
	od := newDialog(t, s, other.ID, ob.ID)
	ost := turnState(od, 2, func(st *store.DialogState) { st.Node, st.UpdatedAt = "ask", utc(7) })
	noErr(t, s.SaveTurn(ctx, store.Turn{Messages: []store.Message{message(od, 2, "refund order hello")}, State: &ost}))

	ptr := func(minute int) *time.Time { u := utc(minute); return &u }
	names := func(ds []store.Dialog) []string {
		byID := map[int64]string{}
		for n, id := range ids {
			byID[id] = n
		}
		return pluck(ds, func(d store.Dialog) string { return byID[d.ID] })
	}
	for _, c := range []struct {
		name string
		f    store.DialogFilter
		want []string
	}{
		{"status", store.DialogFilter{Status: store.StatusInProcess}, []string{"d2", "d1", "d6"}},
		{"mode", store.DialogFilter{Mode: store.ModeOperator}, []string{"d5", "d3"}},
		{"handoff requested", store.DialogFilter{HandoffStatus: store.HandoffRequested}, []string{"d3"}},
		{"never handed off", store.DialogFilter{HandoffStatus: store.HandoffNone}, []string{"d4", "d2", "d1"}},
		{"queue: waiting or taken there, not released", store.DialogFilter{Queue: "billing"}, []string{"d5", "d3"}},
		{"queue and handoff status", store.DialogFilter{Queue: "billing", HandoffStatus: store.HandoffActive}, []string{"d5"}},
		{"waiting at a node: not ended", store.DialogFilter{Node: "ask"}, []string{"d1", "d6"}},
		{"waiting at a node since before minute 8", store.DialogFilter{Node: "ask", UpdatedTo: ptr(8)}, []string{"d6"}},
		{"user", store.DialogFilter{UserID: "u1"}, []string{"d3", "d1"}},
		{"user of a bot", store.DialogFilter{UserID: "u1", BotID: a.ID}, []string{"d3", "d1"}},
		{"updated range, inclusive", store.DialogFilter{UpdatedFrom: ptr(20), UpdatedTo: ptr(40)}, []string{"d4", "d3", "d2"}},
		{"a word", store.DialogFilter{Text: "refund"}, []string{"d3", "d1"}},
		{"every word, any case", store.DialogFilter{Text: "REFUND order"}, []string{"d1"}},
		{"a word's case and punctuation", store.DialogFilter{Text: "order?"}, []string{"d2", "d1"}},
		{"another script", store.DialogFilter{Text: "ЗАКАЗ"}, []string{"d4"}},
		{"operators are words", store.DialogFilter{Text: `refund OR hello NEAR(x) "`}, nil},
		{"whole words only", store.DialogFilter{Text: "refun"}, nil},
		{"text and status", store.DialogFilter{Text: "refund", Status: store.StatusOperator}, []string{"d3"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, total, err := s.ListDialogs(ctx, p.ID, c.f)
			noErr(t, err)
			same(t, "dialogs", names(got), append([]string{}, c.want...))
			same(t, "total", total, len(c.want))
		})
	}

	t.Run("a message stored after a search is found by the next", func(t *testing.T) {
		d2, err := s.DialogByID(ctx, p.ID, ids["d2"])
		noErr(t, err)
		st := turnState(d2, 3, func(st *store.DialogState) {
			st.Status, st.Node, st.UpdatedAt = store.StatusInProcess, "pay", utc(20)
		})
		noErr(t, s.SaveTurn(ctx, store.Turn{Messages: []store.Message{message(d2, 3, "A zebra ate it")}, State: &st}))
		got, _, err := s.ListDialogs(ctx, p.ID, store.DialogFilter{Text: "zebra"})
		noErr(t, err)
		same(t, "dialogs", names(got), []string{"d2"})
	})

	t.Run("keyset pages", func(t *testing.T) {
		all := []string{"d5", "d4", "d3", "d2", "d1", "d6"}
		for limit := 1; limit <= len(all); limit++ {
			var got []string
			f := store.DialogFilter{Limit: limit, SkipCount: true}
			for range len(all) + 1 {
				page, total, err := s.ListDialogs(ctx, p.ID, f)
				noErr(t, err)
				same(t, "total with SkipCount", total, -1)
				if len(page) == 0 {
					break
				}
				got = append(got, names(page)...)
				last := page[len(page)-1]
				f.After = &store.DialogCursor{UpdatedAt: last.UpdatedAt, ID: last.ID}
			}
			same(t, "pages", got, all)
		}
	})

	for _, c := range []struct {
		name string
		f    store.DialogFilter
	}{
		{"unknown status", store.DialogFilter{Status: "waiting"}},
		{"unknown mode", store.DialogFilter{Mode: "bot"}},
		{"unknown handoff status", store.DialogFilter{HandoffStatus: "taken"}},
		{"text without a word", store.DialogFilter{Text: " ?! "}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := s.ListDialogs(ctx, p.ID, c.f)
			wantCode(t, err, store.EINVALID)
		})
	}
}
