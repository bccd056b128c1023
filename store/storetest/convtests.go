package storetest

import (
	"context"
	"testing"

	"github.com/parleyhq/parley/store"
)

func testTestFiles(t *testing.T, s store.Store) {
	ctx := context.Background()
	p, other := newProject(t, s), newProject(t, s)

	_, err := s.TestFile(ctx, p.ID, "shop")
	wantCode(t, err, store.ENOTFOUND)

	// Kept byte for byte: comments, trailing blanks, no final newline.
	src := "# shop's tests  \ntests:\n  - name: hi   # the greeting\n    steps: []\n\n\t"
	f := &store.TestFile{ProjectID: p.ID, Slug: "shop", Source: src, Author: "Ann"}
	noErr(t, s.SaveTestFile(ctx, f, ""))
	if f.Checksum == "" || f.UpdatedAt.IsZero() || f.Source != src {
		t.Fatalf("SaveTestFile set checksum %q, updated %v, source %q", f.Checksum, f.UpdatedAt, f.Source)
	}
	inUTC(t, "UpdatedAt", f.UpdatedAt)
	got, err := s.TestFile(ctx, p.ID, "shop")
	noErr(t, err)
	same(t, "the test file read back", got, f)

	// A save naming the file it edited replaces it; a stale one is refused.
	first := f.Checksum
	next := &store.TestFile{ProjectID: p.ID, Slug: "shop", Source: "tests: []\n", Author: "Bob"}
	noErr(t, s.SaveTestFile(ctx, next, first))
	if next.Checksum == first {
		t.Errorf("the replaced file kept checksum %q", first)
	}
	wantCode(t, s.SaveTestFile(ctx, &store.TestFile{ProjectID: p.ID, Slug: "shop", Source: "x: 1\n"}, first), store.ECONFLICT)
	got, err = s.TestFile(ctx, p.ID, "shop")
	noErr(t, err)
	same(t, "the test file after a refused save", got, next)
	// Without ifMatch a save replaces whatever is there.
	noErr(t, s.SaveTestFile(ctx, &store.TestFile{ProjectID: p.ID, Slug: "shop", Source: "tests: [] # again\n"}, ""))

	// Another project sees none of it.
	_, err = s.TestFile(ctx, other.ID, "shop")
	wantCode(t, err, store.ENOTFOUND)
	wantCode(t, s.DeleteTestFile(ctx, other.ID, "shop"), store.ENOTFOUND)
	wantCode(t, s.SaveTestFile(ctx, &store.TestFile{ProjectID: other.ID, Slug: "shop", Source: "x: 1\n"}, next.Checksum), store.ECONFLICT)

	wantCode(t, s.SaveTestFile(ctx, &store.TestFile{ProjectID: p.ID, Slug: "", Source: "x: 1\n"}, ""), store.EINVALID)
	wantCode(t, s.SaveTestFile(ctx, &store.TestFile{ProjectID: p.ID, Slug: "x", Source: " \n"}, ""), store.EINVALID)
	wantCode(t, s.SaveTestFile(ctx, &store.TestFile{ProjectID: 1 << 40, Slug: "x", Source: "x: 1\n"}, ""), store.ENOTFOUND)

	noErr(t, s.DeleteTestFile(ctx, p.ID, "shop"))
	_, err = s.TestFile(ctx, p.ID, "shop")
	wantCode(t, err, store.ENOTFOUND)
	wantCode(t, s.DeleteTestFile(ctx, p.ID, "shop"), store.ENOTFOUND)
}
