package rules

import (
	"time"

	"github.com/parleyhq/parley/store"
)

// Row is what a transaction that stores a dialog's new state reads of the
// row it replaces, to tell which events the change makes.
type Row struct {
	Status  string
	Mode    string
	Pending int
	Handoff store.Handoff // Status "" reads as none
}

// StateEvents returns the events that storing s over a row that read old
// makes, in this order: dialog.updated (status or mode changed),
// dialog.pending (the count changed), the handoff event (requested again,
// taken or given to another operator, released), dialog.completed. Each
// has the dialog's id, bot and queue; the store sets the rest.
func StateEvents(old Row, s *store.DialogState) []store.Event {
	var out []store.Event
	add := func(typ string, data store.EventData) {
		out = append(out, store.Event{Type: typ, DialogID: s.DialogID, BotID: s.BotID,
			Queue: s.Handoff.ActiveQueue(), Data: data})
	}
	if s.Status != old.Status || s.Mode != old.Mode {
		add(store.EventDialogUpdated, store.EventData{Status: s.Status, Mode: s.Mode})
	}
	if s.PendingCount != old.Pending {
		n := s.PendingCount
		add(store.EventDialogPending, store.EventData{Pending: &n})
	}
	if typ := handoffEvent(&old.Handoff, s.Handoff); typ != "" {
		h := *s.Handoff
		add(typ, store.EventData{Handoff: &h})
	}
	if s.Status == store.StatusCompleted && old.Status != store.StatusCompleted {
		add(store.EventDialogCompleted, store.EventData{Status: s.Status, Mode: s.Mode})
	}
	return out
}

// handoffEvent is the type of the event a handoff's change from old to
// now makes, "" for none.
func handoffEvent(old, now *store.Handoff) string {
	status := now.HandoffStatus()
	switch {
	case status == store.HandoffRequested && (old.HandoffStatus() != status || old.Queue != now.Queue ||
		!sameTime(old.RequestedAt, now.RequestedAt)):
		return store.EventHandoffRequested
	case status == store.HandoffActive && (old.HandoffStatus() != status || old.OperatorID != now.OperatorID):
		return store.EventHandoffStarted
	case status == store.HandoffReleased && old.HandoffStatus() != status:
		return store.EventHandoffReleased
	}
	return ""
}

// sameTime reports whether two optional times are both nil or equal as
// stored (a time read back has lost what is below the microsecond).
func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return Time(*a).Equal(Time(*b))
}

// PageLimit is a page's size as asked (an EventFilter's Limit, a queue's)
// with its default and cap applied.
func PageLimit(n int) int {
	switch {
	case n <= 0:
		return 100
	case n > 1000:
		return 1000
	}
	return n
}
