package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/store"
)

func testFiles(t *testing.T, s store.Store) {
	ctx := t.Context()
	clock := s.(Clock) // Run's open returns one
	now := at(10)
	clock.SetNow(func() time.Time { return now })

	p, other := newProject(t, s), newProject(t, s)
	d, foreign := newDialog(t, s, p.ID, 0), newDialog(t, s, other.ID, 0)
	const sum = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	file := func() store.File {
		return store.File{ProjectID: p.ID, DialogID: d.ID, Name: "отчёт 2025.pdf", MIMEType: "application/pdf",
			Size: 12345, SHA256: sum}
	}
	create := func(t *testing.T, f store.File) *store.File {
		t.Helper()
		noErr(t, s.CreateFile(ctx, &f))
		return &f
	}

	t.Run("round trip", func(t *testing.T) {
		// The store fills in ID and CreatedAt from its clock, not the caller's.
		f := file()
		f.ID, f.CreatedAt = 42, utc(2)
		got := create(t, f)
		want := file()
		want.ID, want.CreatedAt = got.ID, utc(10)
		if got.ID == 0 || got.ID == 42 {
			t.Errorf("ID %d, want one the store chose", got.ID)
		}
		same(t, "created", got, &want)
		inUTC(t, "CreatedAt", got.CreatedAt)
		read, err := s.File(ctx, p.ID, got.ID)
		noErr(t, err)
		same(t, "File", read, &want)
	})
	t.Run("empty file with parameters in its MIME type", func(t *testing.T) {
		f := file()
		f.Size, f.MIMEType, f.Name = 0, "text/plain; charset=utf-8", "empty.txt"
		got := create(t, f)
		read, err := s.File(ctx, p.ID, got.ID)
		noErr(t, err)
		same(t, "File", read, got)
	})
	t.Run("ids increase", func(t *testing.T) {
		prev := create(t, file()).ID
		for range 3 {
			id := create(t, file()).ID
			if id <= prev {
				t.Errorf("id %d after %d, want it greater", id, prev)
			}
			prev = id
		}
	})
	t.Run("same content twice is two records", func(t *testing.T) {
		a := create(t, file())
		bf := file()
		bf.Name = "copy.pdf"
		b := create(t, bf)
		if a.ID == b.ID {
			t.Fatalf("both uploads have id %d", a.ID)
		}
		for _, f := range []*store.File{a, b} {
			read, err := s.File(ctx, p.ID, f.ID)
			noErr(t, err)
			same(t, "File", read, f)
		}
	})
	t.Run("another project's file", func(t *testing.T) {
		f := create(t, file())
		_, err := s.File(ctx, other.ID, f.ID)
		wantCode(t, err, store.ENOTFOUND)
	})
	t.Run("unknown id", func(t *testing.T) {
		for _, id := range []int64{999_999, 0, -1} {
			_, err := s.File(ctx, p.ID, id)
			wantCode(t, err, store.ENOTFOUND)
		}
	})
	t.Run("delete", func(t *testing.T) {
		f := create(t, file())
		kept := create(t, file())
		noErr(t, s.DeleteFile(ctx, p.ID, f.ID))
		_, err := s.File(ctx, p.ID, f.ID)
		wantCode(t, err, store.ENOTFOUND)
		wantCode(t, s.DeleteFile(ctx, p.ID, f.ID), store.ENOTFOUND)
		read, err := s.File(ctx, p.ID, kept.ID)
		noErr(t, err)
		same(t, "the other file", read, kept)
	})
	t.Run("delete another project's file", func(t *testing.T) {
		f := create(t, file())
		wantCode(t, s.DeleteFile(ctx, other.ID, f.ID), store.ENOTFOUND)
		read, err := s.File(ctx, p.ID, f.ID)
		noErr(t, err)
		same(t, "File", read, f)
	})
	t.Run("delete unknown id", func(t *testing.T) {
		for _, id := range []int64{999_999, 0, -1} {
			wantCode(t, s.DeleteFile(ctx, p.ID, id), store.ENOTFOUND)
		}
	})
	t.Run("name cleaned", func(t *testing.T) {
		f := file()
		f.Name = "a\x00b\xff.txt"
		got := create(t, f)
		if got.Name != "a\uFFFDb\uFFFD.txt" {
			t.Errorf("Name %q, want %q", got.Name, "a\uFFFDb\uFFFD.txt")
		}
		read, err := s.File(ctx, p.ID, got.ID)
		noErr(t, err)
		same(t, "File", read, got)
	})

	with := func(change func(*store.File)) store.File {
		f := file()
		change(&f)
		return f
	}
	for _, c := range []struct {
		name string
		f    store.File
		code string
	}{
		{"empty name", with(func(f *store.File) { f.Name = "" }), store.EINVALID},
		{"blank name", with(func(f *store.File) { f.Name = " \t" }), store.EINVALID},
		{"empty MIME type", with(func(f *store.File) { f.MIMEType = "" }), store.EINVALID},
		{"MIME type without subtype", with(func(f *store.File) { f.MIMEType = "application" }), store.EINVALID},
		{"MIME type with empty subtype", with(func(f *store.File) { f.MIMEType = "application/" }), store.EINVALID},
		{"MIME type with a space", with(func(f *store.File) { f.MIMEType = "application pdf" }), store.EINVALID},
		{"negative size", with(func(f *store.File) { f.Size = -1 }), store.EINVALID},
		{"empty SHA256", with(func(f *store.File) { f.SHA256 = "" }), store.EINVALID},
		{"uppercase SHA256", with(func(f *store.File) { f.SHA256 = strings.ToUpper(sum) }), store.EINVALID},
		{"short SHA256", with(func(f *store.File) { f.SHA256 = sum[1:] }), store.EINVALID},
		{"long SHA256", with(func(f *store.File) { f.SHA256 = sum + "0" }), store.EINVALID},
		{"SHA256 not hex", with(func(f *store.File) { f.SHA256 = "g" + sum[1:] }), store.EINVALID},
		{"unknown dialog", with(func(f *store.File) { f.DialogID = 999_999 }), store.ENOTFOUND},
		{"another project's dialog", with(func(f *store.File) { f.DialogID = foreign.ID }), store.ENOTFOUND},
		{"dialog of another project", with(func(f *store.File) { f.ProjectID = other.ID }), store.ENOTFOUND},
		{"unknown project", with(func(f *store.File) { f.ProjectID = 999_999 }), store.ENOTFOUND},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := c.f
			wantCode(t, s.CreateFile(ctx, &f), c.code)
			same(t, "record after a failed create", f, c.f)
		})
	}
}
