package storetest

import (
	"testing"

	"github.com/parleyhq/parley/store"
)

// handOff stores a state of d with handoff status in queue, requested at
// minute; taken when status is active.
func handOff(t *testing.T, s store.Store, d *store.Dialog, seq int64, status, queue string, minute int) {
	t.Helper()
	at := utc(minute)
	h := &store.Handoff{Status: status, Queue: queue, RequestedAt: &at, Reason: "why " + d.UUID}
	if status == store.HandoffActive {
		h.OperatorID, h.OperatorName, h.TakenAt = "u1", "Olga", &at
	}
	st := turnState(d, seq, func(s *store.DialogState) { s.Status, s.Mode, s.Handoff = store.StatusOperator, store.ModeOperator, h })
	noErr(t, s.SaveTurn(t.Context(), store.Turn{State: &st}))
}

func testQueues(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, other := newProject(t, s), newProject(t, s)
	b, ob := newBot(t, s, p.ID), newBot(t, s, other.ID)
	d := make([]*store.Dialog, 5)
	for i := range d {
		d[i] = newDialog(t, s, p.ID, b.ID)
	}
	handOff(t, s, d[0], 2, store.HandoffRequested, "billing", 30)
	handOff(t, s, d[1], 2, store.HandoffRequested, "billing", 10) // asked first
	handOff(t, s, d[2], 2, store.HandoffActive, "billing", 5)
	handOff(t, s, d[3], 2, store.HandoffRequested, "default", 20)
	handOff(t, s, d[4], 2, store.HandoffReleased, "billing", 1)
	handOff(t, s, newDialog(t, s, other.ID, ob.ID), 2, store.HandoffRequested, "billing", 0)

	qs, err := s.Queues(ctx, p.ID)
	noErr(t, err)
	oldestBilling, oldestDefault := utc(10), utc(20)
	same(t, "queues", qs, []store.QueueSummary{
		{Name: "billing", Waiting: 2, OldestRequest: &oldestBilling, Taken: 1},
		{Name: "default", Waiting: 1, OldestRequest: &oldestDefault, Taken: 0},
	})

	waiting, err := s.QueueDialogs(ctx, p.ID, "billing", 0)
	noErr(t, err)
	ids := []int64{}
	for _, w := range waiting {
		ids = append(ids, w.ID)
	}
	same(t, "billing's waiting dialogs, in order of request", ids, []int64{d[1].ID, d[0].ID})
	same(t, "reason", waiting[0].Handoff.Reason, "why "+d[1].UUID)
	page, err := s.QueueDialogs(ctx, p.ID, "billing", 1)
	noErr(t, err)
	same(t, "a page of one", len(page), 1)
	none, err := s.QueueDialogs(ctx, p.ID, "nobody", 0)
	noErr(t, err)
	same(t, "an empty queue", none, []store.Dialog{})

	// Requested at the same instant, the lower id comes first.
	e1, e2 := newDialog(t, s, p.ID, b.ID), newDialog(t, s, p.ID, b.ID)
	handOff(t, s, e2, 2, store.HandoffRequested, "same", 40)
	handOff(t, s, e1, 2, store.HandoffRequested, "same", 40)
	tied, err := s.QueueDialogs(ctx, p.ID, "same", 0)
	noErr(t, err)
	same(t, "tied", [2]int64{tied[0].ID, tied[1].ID}, [2]int64{e1.ID, e2.ID})
}
