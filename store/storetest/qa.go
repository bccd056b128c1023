package storetest

import (
	"testing"

	"github.com/parleyhq/parley/store"
)

// testQAs: entries are kept per store, listed only for their project,
// refused without a question or answer or in another project's store, and
// go with their store.
func testQAs(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, other := newProject(t, s), newProject(t, s)
	vs := &store.VectorStore{ProjectID: p.ID, Name: "assistant-1"}
	noErr(t, s.CreateVectorStore(ctx, vs))
	q := &store.QA{ProjectID: p.ID, StoreID: vs.ID, Question: " How do I set up the bot? ", Answer: "Open settings.", Tags: []string{"setup"}}
	noErr(t, s.CreateQA(ctx, q))
	if q.ID == 0 || q.Question != "How do I set up the bot?" || q.CreatedAt.IsZero() {
		t.Fatalf("created %+v", q)
	}
	inUTC(t, "CreatedAt", q.CreatedAt)
	wantCode(t, s.CreateQA(ctx, &store.QA{ProjectID: p.ID, StoreID: vs.ID, Answer: "a"}), store.EINVALID)
	wantCode(t, s.CreateQA(ctx, &store.QA{ProjectID: p.ID, StoreID: vs.ID, Question: "q"}), store.EINVALID)
	wantCode(t, s.CreateQA(ctx, &store.QA{ProjectID: other.ID, StoreID: vs.ID, Question: "q", Answer: "a"}), store.ENOTFOUND)

	got, err := s.QAs(ctx, p.ID, []int64{vs.ID})
	noErr(t, err)
	same(t, "the store's entries", got, []store.QA{*q})
	got, err = s.QAs(ctx, other.ID, []int64{vs.ID})
	noErr(t, err)
	same(t, "another project's view", len(got), 0)

	noErr(t, s.DeleteVectorStore(ctx, p.ID, vs.UUID))
	got, err = s.QAs(ctx, p.ID, []int64{vs.ID})
	noErr(t, err)
	same(t, "after the store is deleted", len(got), 0)
}
