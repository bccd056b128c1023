package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/parleyhq/parley/store"
)

func testDrafts(t *testing.T, s store.Store) {
	ctx := context.Background()
	p, other := newProject(t, s), newProject(t, s)

	_, err := s.Draft(ctx, p.ID, "shop")
	wantCode(t, err, store.ENOTFOUND)

	d := &store.Draft{ProjectID: p.ID, Slug: "shop", Source: "bot: shop\n# broken: [\n", BaseVersion: 3, Author: "Ann"}
	noErr(t, s.SaveDraft(ctx, d, ""))
	if d.Checksum == "" || d.UpdatedAt.IsZero() {
		t.Fatalf("SaveDraft set checksum %q, updated %v", d.Checksum, d.UpdatedAt)
	}
	inUTC(t, "UpdatedAt", d.UpdatedAt)
	got, err := s.Draft(ctx, p.ID, "shop")
	noErr(t, err)
	same(t, "the draft read back", got, d)

	// A save that names the draft it edited replaces it, keeping the base.
	first := d.Checksum
	next := &store.Draft{ProjectID: p.ID, Slug: "shop", Source: "bot: shop\nnodes: {}\n", BaseVersion: 9, Author: "Bob"}
	noErr(t, s.SaveDraft(ctx, next, first))
	if next.BaseVersion != 3 || next.Checksum == first {
		t.Errorf("replaced draft: base %d, checksum %q; want the first base 3 and a new checksum", next.BaseVersion, next.Checksum)
	}
	// An editor still on the first draft is refused, and nothing changes.
	stale := &store.Draft{ProjectID: p.ID, Slug: "shop", Source: "bot: shop\n", Author: "Ann"}
	wantCode(t, s.SaveDraft(ctx, stale, first), store.ECONFLICT)
	wantCode(t, s.DeleteDraft(ctx, p.ID, "shop", first), store.ECONFLICT)
	got, err = s.Draft(ctx, p.ID, "shop")
	noErr(t, err)
	same(t, "the draft after refused writes", got, next)

	noErr(t, s.SaveDraft(ctx, &store.Draft{ProjectID: p.ID, Slug: "faq", Source: "bot: faq\n"}, ""))
	drafts, err := s.ListDrafts(ctx, p.ID)
	noErr(t, err)
	listed := *next
	listed.Source = ""
	if len(drafts) != 2 || drafts[0].Slug != "faq" {
		t.Fatalf("ListDrafts = %s, want faq and shop", show(drafts))
	}
	same(t, "the listed draft", drafts[1], listed)
	noErr(t, s.DeleteDraft(ctx, p.ID, "faq", ""))

	// Another project sees none of it.
	none, err := s.ListDrafts(ctx, other.ID)
	noErr(t, err)
	same(t, "another project's drafts", none, []store.Draft{})
	_, err = s.Draft(ctx, other.ID, "shop")
	wantCode(t, err, store.ENOTFOUND)
	wantCode(t, s.DeleteDraft(ctx, other.ID, "shop", ""), store.ENOTFOUND)
	wantCode(t, s.SaveDraft(ctx, &store.Draft{ProjectID: other.ID, Slug: "shop", Source: "x: 1\n"}, next.Checksum), store.ECONFLICT)

	wantCode(t, s.SaveDraft(ctx, &store.Draft{ProjectID: p.ID, Slug: "", Source: "x: 1\n"}, ""), store.EINVALID)
	wantCode(t, s.SaveDraft(ctx, &store.Draft{ProjectID: p.ID, Slug: "x", Source: "  \n"}, ""), store.EINVALID)
	wantCode(t, s.SaveDraft(ctx, &store.Draft{ProjectID: 1 << 40, Slug: "x", Source: "x: 1\n"}, ""), store.ENOTFOUND)

	noErr(t, s.DeleteDraft(ctx, p.ID, "shop", next.Checksum))
	_, err = s.Draft(ctx, p.ID, "shop")
	wantCode(t, err, store.ENOTFOUND)
	wantCode(t, s.DeleteDraft(ctx, p.ID, "shop", ""), store.ENOTFOUND)
	// A draft deleted (published) since the editor read it is a conflict.
	wantCode(t, s.SaveDraft(ctx, &store.Draft{ProjectID: p.ID, Slug: "shop", Source: "x: 1\n"}, next.Checksum), store.ECONFLICT)
}

func testCannedReplies(t *testing.T, s store.Store) {
	ctx := context.Background()
	p, other := newProject(t, s), newProject(t, s)

	r := &store.CannedReply{ProjectID: p.ID, Shortcut: "/Refund", Text: " We have refunded you. ", Author: "Ann"}
	created, err := s.SaveCannedReply(ctx, r)
	noErr(t, err)
	if !created || r.ID == 0 || r.Shortcut != "refund" || r.Text != "We have refunded you." {
		t.Fatalf("saved %+v (created %v); want a new reply with shortcut refund and the text trimmed", r, created)
	}
	inUTC(t, "CreatedAt", r.CreatedAt)
	_, err = s.SaveCannedReply(ctx, &store.CannedReply{ProjectID: p.ID, Shortcut: "hello", Text: "Hi! How can I help?"})
	noErr(t, err)
	_, err = s.SaveCannedReply(ctx, &store.CannedReply{ProjectID: other.ID, Shortcut: "refund", Text: "Theirs"})
	noErr(t, err)

	// The same shortcut again replaces the text of the same reply.
	again := &store.CannedReply{ProjectID: p.ID, Shortcut: "refund", Text: "Refunded: 3-5 days.", Author: "Bob"}
	created, err = s.SaveCannedReply(ctx, again)
	noErr(t, err)
	if created || again.ID != r.ID || !again.CreatedAt.Equal(r.CreatedAt) || again.Author != "Bob" {
		t.Errorf("saved again %+v (created %v); want reply %d replaced, created at %v", again, created, r.ID, r.CreatedAt)
	}

	all, err := s.CannedReplies(ctx, p.ID, "")
	noErr(t, err)
	same(t, "shortcuts", pluck(all, func(c store.CannedReply) string { return c.Shortcut }), []string{"hello", "refund"})
	same(t, "the replaced reply", all[1], *again)
	some, err := s.CannedReplies(ctx, p.ID, "/RE")
	noErr(t, err)
	same(t, "shortcuts starting re", pluck(some, func(c store.CannedReply) string { return c.Text }), []string{"Refunded: 3-5 days."})
	none, err := s.CannedReplies(ctx, p.ID, "x_")
	noErr(t, err)
	if none == nil || len(none) != 0 {
		t.Errorf("no match: %v, want an empty list", none)
	}

	for _, bad := range []store.CannedReply{
		{ProjectID: p.ID, Shortcut: "", Text: "x"},
		{ProjectID: p.ID, Shortcut: "two words", Text: "x"},
		{ProjectID: p.ID, Shortcut: strings.Repeat("a", 33), Text: "x"},
		{ProjectID: p.ID, Shortcut: "ok", Text: "  "},
		{ProjectID: p.ID, Shortcut: "ok", Text: strings.Repeat("é", store.MaxCannedReply+1)},
	} {
		_, err := s.SaveCannedReply(ctx, &bad)
		wantCode(t, err, store.EINVALID)
	}
	_, err = s.SaveCannedReply(ctx, &store.CannedReply{ProjectID: 1 << 40, Shortcut: "x", Text: "x"})
	wantCode(t, err, store.ENOTFOUND)

	wantCode(t, s.DeleteCannedReply(ctx, other.ID, r.ID), store.ENOTFOUND)
	noErr(t, s.DeleteCannedReply(ctx, p.ID, r.ID))
	wantCode(t, s.DeleteCannedReply(ctx, p.ID, r.ID), store.ENOTFOUND)
	all, err = s.CannedReplies(ctx, p.ID, "")
	noErr(t, err)
	same(t, "shortcuts after the delete", pluck(all, func(c store.CannedReply) string { return c.Shortcut }), []string{"hello"})
}
