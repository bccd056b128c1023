package storetest

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/store"
)

// knowledgeClock sets the store's clock to utc(minute) now and returns a
// function that moves it.
func knowledgeClock(s store.Store) func(minute int) time.Time {
	var now time.Time
	s.(Clock).SetNow(func() time.Time { return now }) // Run's open returns one
	return func(minute int) time.Time {
		now = at(minute)
		return utc(minute)
	}
}

const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// newDocument records a document in the project.
func newDocument(t testing.TB, s store.Store, projectID int64, name string) *store.Document {
	t.Helper()
	d := &store.Document{ProjectID: projectID, Name: name, MIMEType: "text/plain", Size: 10, SHA256: emptySHA256, Purpose: "assistants"}
	noErr(t, s.CreateDocument(t.Context(), d))
	return d
}

// newVectorStore creates a vector store in the project.
func newVectorStore(t testing.TB, s store.Store, projectID int64, name string) *store.VectorStore {
	t.Helper()
	v := &store.VectorStore{ProjectID: projectID, Name: name}
	noErr(t, s.CreateVectorStore(t.Context(), v))
	return v
}

// loadVectorStore reads a store back by UUID.
func loadVectorStore(t *testing.T, s store.Store, projectID int64, uuid string) *store.VectorStore {
	t.Helper()
	v, err := s.VectorStore(t.Context(), projectID, uuid)
	noErr(t, err)
	return v
}

var (
	documentUUID    = regexp.MustCompile(`^file-[0-9A-Za-z]{24}$`)
	vectorStoreUUID = regexp.MustCompile(`^vs_[0-9A-Za-z]{24}$`)
)

func testDocuments(t *testing.T, s store.Store) {
	ctx := t.Context()
	clock := knowledgeClock(s)
	clock(10)
	p, other := newProject(t, s), newProject(t, s)
	doc := func() store.Document {
		return store.Document{ProjectID: p.ID, Name: "handbook 2025.pdf", MIMEType: "application/pdf", Size: 12345,
			SHA256: emptySHA256, Purpose: "assistants"}
	}
	create := func(t *testing.T, d store.Document) *store.Document {
		t.Helper()
		noErr(t, s.CreateDocument(ctx, &d))
		return &d
	}

	t.Run("round trip", func(t *testing.T) {
		// The store fills in ID, UUID and CreatedAt, not the caller's
		// ID and time.
		d := doc()
		d.ID, d.CreatedAt = 42, utc(2)
		got := create(t, d)
		if got.ID == 0 || got.ID == 42 {
			t.Errorf("ID %d, want one the store chose", got.ID)
		}
		if !documentUUID.MatchString(got.UUID) {
			t.Errorf("UUID %q, want file- and 24 base62 characters", got.UUID)
		}
		want := doc()
		want.ID, want.UUID, want.CreatedAt = got.ID, got.UUID, utc(10)
		same(t, "created", got, &want)
		inUTC(t, "CreatedAt", got.CreatedAt)
		read, err := s.Document(ctx, p.ID, got.UUID)
		noErr(t, err)
		same(t, "Document", read, &want)
	})
	t.Run("UUIDs differ", func(t *testing.T) {
		seen := map[string]bool{}
		for range 5 {
			u := create(t, doc()).UUID
			if seen[u] {
				t.Fatalf("UUID %q given twice", u)
			}
			seen[u] = true
		}
	})
	t.Run("given UUID kept", func(t *testing.T) {
		d := doc()
		d.UUID = "file-given0000000000000001"
		got := create(t, d)
		if got.UUID != d.UUID {
			t.Errorf("UUID %q, want %q", got.UUID, d.UUID)
		}
		read, err := s.Document(ctx, p.ID, d.UUID)
		noErr(t, err)
		same(t, "Document", read, got)
	})
	t.Run("UUID taken", func(t *testing.T) {
		first := create(t, doc())
		d := doc()
		d.UUID, d.Name = first.UUID, "other.pdf"
		before := d
		wantCode(t, s.CreateDocument(ctx, &d), store.ECONFLICT)
		same(t, "record after a failed create", d, before)
		read, err := s.Document(ctx, p.ID, first.UUID)
		noErr(t, err)
		same(t, "Document", read, first)
	})
	t.Run("empty purpose and size", func(t *testing.T) {
		d := doc()
		d.Purpose, d.Size, d.MIMEType = "", 0, "text/markdown; charset=utf-8"
		got := create(t, d)
		read, err := s.Document(ctx, p.ID, got.UUID)
		noErr(t, err)
		same(t, "Document", read, got)
	})
	t.Run("name cleaned", func(t *testing.T) {
		d := doc()
		d.Name = "a\x00b\xff.txt"
		got := create(t, d)
		if want := "a\uFFFDb\uFFFD.txt"; got.Name != want {
			t.Errorf("Name %q, want %q", got.Name, want)
		}
		read, err := s.Document(ctx, p.ID, got.UUID)
		noErr(t, err)
		same(t, "Document", read, got)
	})
	t.Run("another project's document", func(t *testing.T) {
		d := create(t, doc())
		_, err := s.Document(ctx, other.ID, d.UUID)
		wantCode(t, err, store.ENOTFOUND)
	})
	t.Run("unknown UUID", func(t *testing.T) {
		for _, u := range []string{"file-unknown000000000000000", "", "vs_x"} {
			_, err := s.Document(ctx, p.ID, u)
			wantCode(t, err, store.ENOTFOUND)
		}
	})

	t.Run("listed newest first", func(t *testing.T) {
		q := newProject(t, s)
		clock(20)
		older := newDocument(t, s, q.ID, "older.md")
		clock(21)
		newer := newDocument(t, s, q.ID, "newer.md")
		sameTime := newDocument(t, s, q.ID, "same minute.md") // ties: the later record first
		newDocument(t, s, other.ID, "another project's.md")
		docs, err := s.Documents(ctx, q.ID)
		noErr(t, err)
		same(t, "Documents", docs, []store.Document{*sameTime, *newer, *older})
		none, err := s.Documents(ctx, newProject(t, s).ID)
		noErr(t, err)
		if none == nil || len(none) != 0 {
			t.Errorf("Documents of a project without any = %#v, want an empty list", none)
		}
	})

	with := func(change func(*store.Document)) store.Document {
		d := doc()
		change(&d)
		return d
	}
	for _, c := range []struct {
		name string
		d    store.Document
		code string
	}{
		{"empty name", with(func(d *store.Document) { d.Name = "" }), store.EINVALID},
		{"blank name", with(func(d *store.Document) { d.Name = " \t" }), store.EINVALID},
		{"empty MIME type", with(func(d *store.Document) { d.MIMEType = "" }), store.EINVALID},
		{"MIME type without subtype", with(func(d *store.Document) { d.MIMEType = "application" }), store.EINVALID},
		{"MIME type with a space", with(func(d *store.Document) { d.MIMEType = "application pdf" }), store.EINVALID},
		{"negative size", with(func(d *store.Document) { d.Size = -1 }), store.EINVALID},
		{"empty SHA256", with(func(d *store.Document) { d.SHA256 = "" }), store.EINVALID},
		{"uppercase SHA256", with(func(d *store.Document) { d.SHA256 = strings.ToUpper(emptySHA256) }), store.EINVALID},
		{"short SHA256", with(func(d *store.Document) { d.SHA256 = emptySHA256[1:] }), store.EINVALID},
		{"SHA256 not hex", with(func(d *store.Document) { d.SHA256 = "g" + emptySHA256[1:] }), store.EINVALID},
		{"unknown project", with(func(d *store.Document) { d.ProjectID = 999_999 }), store.ENOTFOUND},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := c.d
			wantCode(t, s.CreateDocument(ctx, &d), c.code)
			same(t, "record after a failed create", d, c.d)
		})
	}
}

func testVectorStores(t *testing.T, s store.Store) {
	ctx := t.Context()
	clock := knowledgeClock(s)
	clock(10)
	p, other := newProject(t, s), newProject(t, s)
	create := func(t *testing.T, v store.VectorStore) *store.VectorStore {
		t.Helper()
		noErr(t, s.CreateVectorStore(ctx, &v))
		return &v
	}

	t.Run("round trip", func(t *testing.T) {
		// The store fills in ID, UUID, Status, times; Embedder,
		// Dimensions and FileCount start empty whatever the caller says.
		v := store.VectorStore{ID: 42, ProjectID: p.ID, Name: "Handbook", ChunkSize: 800, ChunkOverlap: 100,
			Embedder: "e", Dimensions: 3, FileCount: 7, Status: store.VectorStoreError, CreatedAt: utc(1), UpdatedAt: utc(2)}
		got := create(t, v)
		if got.ID == 0 || got.ID == 42 {
			t.Errorf("ID %d, want one the store chose", got.ID)
		}
		if !vectorStoreUUID.MatchString(got.UUID) {
			t.Errorf("UUID %q, want vs_ and 24 base62 characters", got.UUID)
		}
		want := &store.VectorStore{ID: got.ID, UUID: got.UUID, ProjectID: p.ID, Name: "Handbook", ChunkSize: 800, ChunkOverlap: 100,
			Status: store.VectorStoreReady, CreatedAt: utc(10), UpdatedAt: utc(10)}
		same(t, "created", got, want)
		inUTC(t, "CreatedAt", got.CreatedAt)
		same(t, "by UUID", loadVectorStore(t, s, p.ID, got.UUID), want)
		same(t, "by name", loadVectorStore(t, s, p.ID, "Handbook"), want)
	})
	t.Run("given UUID kept", func(t *testing.T) {
		got := create(t, store.VectorStore{ProjectID: p.ID, UUID: "vs_given00000000000000001"})
		if got.UUID != "vs_given00000000000000001" {
			t.Errorf("UUID %q, want the given one", got.UUID)
		}
		same(t, "by UUID", loadVectorStore(t, s, p.ID, got.UUID), got)
	})
	t.Run("UUID taken", func(t *testing.T) {
		first := newVectorStore(t, s, p.ID, "")
		v := store.VectorStore{ProjectID: p.ID, UUID: first.UUID, Name: unique("taken")}
		before := v
		wantCode(t, s.CreateVectorStore(ctx, &v), store.ECONFLICT)
		same(t, "record after a failed create", v, before)
		if _, err := s.VectorStore(ctx, p.ID, before.Name); store.ErrorCode(err) != store.ENOTFOUND {
			t.Errorf("failed create left a store named %q (%v)", before.Name, err)
		}
	})
	t.Run("default chunking", func(t *testing.T) {
		// Size 0 is the default: any overlap goes with it.
		for _, v := range []store.VectorStore{
			{ProjectID: p.ID},
			{ProjectID: p.ID, ChunkOverlap: 50},
			{ProjectID: p.ID, ChunkSize: 1},
		} {
			got := create(t, v)
			same(t, "read", loadVectorStore(t, s, p.ID, got.UUID), got)
		}
	})
	t.Run("names unique in a project", func(t *testing.T) {
		name := unique("kb")
		first := newVectorStore(t, s, p.ID, name)
		v := store.VectorStore{ProjectID: p.ID, Name: name}
		wantCode(t, s.CreateVectorStore(ctx, &v), store.ECONFLICT)
		same(t, "by name", loadVectorStore(t, s, p.ID, name), first)
		// Another project may use the name; unnamed stores are many.
		theirs := newVectorStore(t, s, other.ID, name)
		same(t, "other project's by name", loadVectorStore(t, s, other.ID, name), theirs)
		newVectorStore(t, s, p.ID, "")
		newVectorStore(t, s, p.ID, "")
	})
	t.Run("lookup", func(t *testing.T) {
		a := newVectorStore(t, s, p.ID, unique("a"))
		// b is named like a's UUID: the UUID wins.
		b := newVectorStore(t, s, p.ID, a.UUID)
		same(t, "by a's UUID", loadVectorStore(t, s, p.ID, a.UUID), a)
		same(t, "by b's UUID", loadVectorStore(t, s, p.ID, b.UUID), b)
		unnamed := newVectorStore(t, s, p.ID, "")
		same(t, "unnamed by UUID", loadVectorStore(t, s, p.ID, unnamed.UUID), unnamed)
		for _, key := range []string{"", "nothing", a.Name + " ", strings.ToUpper(a.UUID)} {
			_, err := s.VectorStore(ctx, p.ID, key)
			wantCode(t, err, store.ENOTFOUND)
		}
		// Another project sees neither by UUID nor by name.
		for _, key := range []string{a.UUID, a.Name, unnamed.UUID} {
			_, err := s.VectorStore(ctx, other.ID, key)
			wantCode(t, err, store.ENOTFOUND)
		}
	})

	with := func(change func(*store.VectorStore)) store.VectorStore {
		v := store.VectorStore{ProjectID: p.ID, ChunkSize: 100, ChunkOverlap: 10}
		change(&v)
		return v
	}
	for _, c := range []struct {
		name string
		v    store.VectorStore
		code string
	}{
		{"negative chunk size", with(func(v *store.VectorStore) { v.ChunkSize = -1 }), store.EINVALID},
		{"negative overlap", with(func(v *store.VectorStore) { v.ChunkOverlap = -1 }), store.EINVALID},
		{"overlap equal to size", with(func(v *store.VectorStore) { v.ChunkOverlap = 100 }), store.EINVALID},
		{"overlap above size", with(func(v *store.VectorStore) { v.ChunkOverlap = 101 }), store.EINVALID},
		{"unknown project", with(func(v *store.VectorStore) { v.ProjectID = 999_999 }), store.ENOTFOUND},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := c.v
			wantCode(t, s.CreateVectorStore(ctx, &v), c.code)
			same(t, "record after a failed create", v, c.v)
		})
	}

	t.Run("listed newest first", func(t *testing.T) {
		q := newProject(t, s)
		list, err := s.VectorStores(ctx, q.ID)
		noErr(t, err)
		same(t, "none", list, []store.VectorStore{})
		var want []store.VectorStore
		for i := range 3 {
			clock(20 + i)
			want = append([]store.VectorStore{*newVectorStore(t, s, q.ID, unique("list"))}, want...)
		}
		// Two at one time: the later created first.
		a, b := newVectorStore(t, s, q.ID, ""), newVectorStore(t, s, q.ID, "")
		want = append([]store.VectorStore{*b, *a}, want...)
		newVectorStore(t, s, other.ID, unique("theirs"))
		list, err = s.VectorStores(ctx, q.ID)
		noErr(t, err)
		same(t, "VectorStores", list, want)
	})
	t.Run("rename", func(t *testing.T) {
		clock(30)
		v := newVectorStore(t, s, p.ID, unique("old"))
		taken := newVectorStore(t, s, p.ID, unique("taken"))
		clock(31)
		name := unique("new")
		got, err := s.RenameVectorStore(ctx, p.ID, v.UUID, name)
		noErr(t, err)
		want := *v
		want.Name, want.UpdatedAt = name, utc(31)
		same(t, "renamed", got, &want)
		same(t, "by new name", loadVectorStore(t, s, p.ID, name), &want)
		_, err = s.VectorStore(ctx, p.ID, v.Name)
		wantCode(t, err, store.ENOTFOUND)

		clock(32)
		_, err = s.RenameVectorStore(ctx, p.ID, v.UUID, taken.Name)
		wantCode(t, err, store.ECONFLICT)
		same(t, "after a conflict", loadVectorStore(t, s, p.ID, v.UUID), &want)
		same(t, "the other", loadVectorStore(t, s, p.ID, taken.UUID), taken)

		// Its own name is no conflict; no name is allowed, and frees the old.
		got, err = s.RenameVectorStore(ctx, p.ID, v.UUID, name)
		noErr(t, err)
		want.UpdatedAt = utc(32)
		same(t, "same name", got, &want)
		got, err = s.RenameVectorStore(ctx, p.ID, v.UUID, "")
		noErr(t, err)
		want.Name = ""
		same(t, "no name", got, &want)
		newVectorStore(t, s, p.ID, name)
	})
	t.Run("rename unknown", func(t *testing.T) {
		v := newVectorStore(t, s, p.ID, unique("mine"))
		for _, c := range []struct {
			name      string
			projectID int64
			uuid      string
		}{
			{"another project's store", other.ID, v.UUID},
			{"unknown UUID", p.ID, "vs_unknown"},
			{"by name", p.ID, v.Name},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := s.RenameVectorStore(ctx, c.projectID, c.uuid, unique("x"))
				wantCode(t, err, store.ENOTFOUND)
			})
		}
		same(t, "unchanged", loadVectorStore(t, s, p.ID, v.UUID), v)
	})
	t.Run("claim embedder", func(t *testing.T) {
		clock(40)
		v := newVectorStore(t, s, p.ID, "")
		clock(41)
		noErr(t, s.ClaimEmbedder(ctx, v.ID, "openai/text-embedding-3-small", 1536))
		want := *v
		want.Embedder, want.Dimensions, want.UpdatedAt = "openai/text-embedding-3-small", 1536, utc(41)
		same(t, "claimed", loadVectorStore(t, s, p.ID, v.UUID), &want)
		clock(42)
		noErr(t, s.ClaimEmbedder(ctx, v.ID, "openai/text-embedding-3-small", 1536))
		for _, c := range []struct {
			embedder string
			dims     int
		}{
			{"ollama/nomic-embed-text", 1536},
			{"openai/text-embedding-3-small", 768},
			{"ollama/nomic-embed-text", 768},
		} {
			wantCode(t, s.ClaimEmbedder(ctx, v.ID, c.embedder, c.dims), store.ECONFLICT)
		}
		same(t, "after claims", loadVectorStore(t, s, p.ID, v.UUID), &want)
	})
	t.Run("claim embedder invalid", func(t *testing.T) {
		v := newVectorStore(t, s, p.ID, "")
		wantCode(t, s.ClaimEmbedder(ctx, v.ID, "", 3), store.EINVALID)
		wantCode(t, s.ClaimEmbedder(ctx, v.ID, "e", 0), store.EINVALID)
		wantCode(t, s.ClaimEmbedder(ctx, 999_999, "e", 3), store.ENOTFOUND)
		same(t, "unclaimed", loadVectorStore(t, s, p.ID, v.UUID), v)
	})
	t.Run("concurrent first claims: one wins", func(t *testing.T) {
		v := newVectorStore(t, s, p.ID, "")
		var wg sync.WaitGroup
		errs := make([]error, 10)
		for i := range errs {
			wg.Go(func() { errs[i] = s.ClaimEmbedder(ctx, v.ID, fmt.Sprint("embedder-", i), 8) })
		}
		wg.Wait()
		won := -1
		for i, err := range errs {
			switch store.ErrorCode(err) {
			case "":
				if won >= 0 {
					t.Errorf("embedders %d and %d both claimed the store", won, i)
				}
				won = i
			case store.ECONFLICT:
			default:
				t.Errorf("claim %d: %v, want success or a conflict", i, err)
			}
		}
		if got := loadVectorStore(t, s, p.ID, v.UUID); won < 0 || got.Embedder != fmt.Sprint("embedder-", won) || got.Dimensions != 8 {
			t.Errorf("claimed by %q (%d), want the one claim that won (%d)", got.Embedder, got.Dimensions, won)
		}
	})
	t.Run("concurrent creates of one name: one wins", func(t *testing.T) {
		name := unique("race")
		var wg sync.WaitGroup
		errs := make([]error, 10)
		for i := range errs {
			wg.Go(func() { errs[i] = s.CreateVectorStore(ctx, &store.VectorStore{ProjectID: p.ID, Name: name}) })
		}
		wg.Wait()
		created := 0
		for _, err := range errs {
			switch store.ErrorCode(err) {
			case "":
				created++
			case store.ECONFLICT:
			default:
				t.Errorf("create: %v, want success or a conflict", err)
			}
		}
		if created != 1 {
			t.Errorf("%d stores named %q created, want 1", created, name)
		}
	})
	t.Run("status and file count", func(t *testing.T) {
		clock(50)
		v := newVectorStore(t, s, p.ID, unique("status"))
		check := func(t *testing.T, status string, count int) {
			t.Helper()
			got := loadVectorStore(t, s, p.ID, v.UUID)
			if got.Status != status || got.FileCount != count {
				t.Errorf("status %q with %d files, want %q with %d", got.Status, got.FileCount, status, count)
			}
			list, err := s.VectorStores(ctx, p.ID)
			noErr(t, err)
			for _, l := range list {
				if l.ID == v.ID && (l.Status != status || l.FileCount != count) {
					t.Errorf("listed: status %q with %d files, want %q with %d", l.Status, l.FileCount, status, count)
				}
			}
		}
		add := func(t *testing.T) *store.VectorStoreFile {
			t.Helper()
			f, err := s.AddVectorStoreFile(ctx, p.ID, v.UUID, newDocument(t, s, p.ID, unique("doc")).UUID)
			noErr(t, err)
			return f
		}
		set := func(t *testing.T, f *store.VectorStoreFile, status string) {
			t.Helper()
			noErr(t, s.SetVectorStoreFileStatus(ctx, f.StoreID, f.DocumentID, status, "why", 0))
		}
		check(t, store.VectorStoreReady, 0)
		a := add(t)
		check(t, store.VectorStoreIndexing, 1)
		set(t, a, store.FileProcessed)
		check(t, store.VectorStoreReady, 1)
		b := add(t)
		check(t, store.VectorStoreIndexing, 2)
		set(t, b, store.FileError)
		check(t, store.VectorStoreError, 2)
		c := add(t)
		check(t, store.VectorStoreIndexing, 3) // pending beats failed
		set(t, c, store.FileProcessed)
		check(t, store.VectorStoreError, 3)
		set(t, b, store.FilePending)
		check(t, store.VectorStoreIndexing, 3)
		set(t, b, store.FileProcessed)
		check(t, store.VectorStoreReady, 3)
		set(t, a, store.FileError)
		check(t, store.VectorStoreError, 3)
		noErr(t, s.DeleteVectorStoreFile(ctx, p.ID, v.UUID, a.UUID))
		check(t, store.VectorStoreReady, 2)
		// Another store's files count for it alone.
		w := newVectorStore(t, s, p.ID, "")
		_, err := s.AddVectorStoreFile(ctx, p.ID, w.UUID, b.UUID)
		noErr(t, err)
		check(t, store.VectorStoreReady, 2)
		if got := loadVectorStore(t, s, p.ID, w.UUID); got.Status != store.VectorStoreIndexing || got.FileCount != 1 {
			t.Errorf("other store: status %q with %d files, want indexing with 1", got.Status, got.FileCount)
		}
	})
	t.Run("delete", func(t *testing.T) {
		name := unique("gone")
		v := newVectorStore(t, s, p.ID, name)
		keep := newVectorStore(t, s, p.ID, "")
		doc := newDocument(t, s, p.ID, "a.txt")
		for _, vs := range []*store.VectorStore{v, keep} {
			f, err := s.AddVectorStoreFile(ctx, p.ID, vs.UUID, doc.UUID)
			noErr(t, err)
			noErr(t, s.ReplaceChunks(ctx, f.StoreID, f.DocumentID, []store.Chunk{
				{Seq: 0, Text: "a", Embedder: "e", Vector: []float32{1, 2}}}))
		}
		wantCode(t, s.DeleteVectorStore(ctx, other.ID, v.UUID), store.ENOTFOUND)
		wantCode(t, s.DeleteVectorStore(ctx, p.ID, name), store.ENOTFOUND) // by UUID only
		loadVectorStore(t, s, p.ID, v.UUID)

		noErr(t, s.DeleteVectorStore(ctx, p.ID, v.UUID))
		for _, key := range []string{v.UUID, name} {
			_, err := s.VectorStore(ctx, p.ID, key)
			wantCode(t, err, store.ENOTFOUND)
		}
		_, err := s.VectorStoreFile(ctx, p.ID, v.UUID, doc.UUID)
		wantCode(t, err, store.ENOTFOUND)
		_, err = s.VectorStoreFiles(ctx, p.ID, v.UUID)
		wantCode(t, err, store.ENOTFOUND)
		chunks, err := s.Chunks(ctx, p.ID, []int64{v.ID, keep.ID})
		noErr(t, err)
		if len(chunks) != 1 || chunks[0].StoreID != keep.ID {
			t.Errorf("chunks after delete = %+v, want only the other store's", chunks)
		}
		// The document stays, and so does the other store's file.
		read, err := s.Document(ctx, p.ID, doc.UUID)
		noErr(t, err)
		same(t, "document", read, doc)
		_, err = s.VectorStoreFile(ctx, p.ID, keep.UUID, doc.UUID)
		noErr(t, err)
		wantCode(t, s.DeleteVectorStore(ctx, p.ID, v.UUID), store.ENOTFOUND)
		// The name is free again.
		newVectorStore(t, s, p.ID, name)
	})
}

func testVectorStoreFiles(t *testing.T, s store.Store) {
	ctx := t.Context()
	clock := knowledgeClock(s)
	clock(10)
	p, other := newProject(t, s), newProject(t, s)
	v := newVectorStore(t, s, p.ID, "kb")
	doc := newDocument(t, s, p.ID, "guide.md")
	theirStore, theirDoc := newVectorStore(t, s, other.ID, "kb"), newDocument(t, s, other.ID, "theirs.md")
	file := func(t *testing.T, storeUUID, documentUUID string) *store.VectorStoreFile {
		t.Helper()
		f, err := s.VectorStoreFile(ctx, p.ID, storeUUID, documentUUID)
		noErr(t, err)
		return f
	}

	clock(11)
	first, err := s.AddVectorStoreFile(ctx, p.ID, v.UUID, doc.UUID)
	noErr(t, err)
	want := &store.VectorStoreFile{StoreID: v.ID, DocumentID: doc.ID, UUID: doc.UUID, Filename: "guide.md",
		Status: store.FilePending, CreatedAt: utc(11), UpdatedAt: utc(11)}
	t.Run("add", func(t *testing.T) {
		same(t, "added", first, want)
		inUTC(t, "CreatedAt", first.CreatedAt)
		same(t, "VectorStoreFile", file(t, v.UUID, doc.UUID), want)
	})
	t.Run("set status", func(t *testing.T) {
		clock(12)
		noErr(t, s.SetVectorStoreFileStatus(ctx, v.ID, doc.ID, store.FileError, "no text", 0))
		want.Status, want.Error, want.UpdatedAt = store.FileError, "no text", utc(12)
		same(t, "failed", file(t, v.UUID, doc.UUID), want)
		clock(13)
		noErr(t, s.SetVectorStoreFileStatus(ctx, v.ID, doc.ID, store.FilePending, "ignored", 0))
		want.Status, want.Error, want.UpdatedAt = store.FilePending, "", utc(13)
		same(t, "pending again", file(t, v.UUID, doc.UUID), want)
		clock(14)
		noErr(t, s.SetVectorStoreFileStatus(ctx, v.ID, doc.ID, store.FileProcessed, "", 7))
		want.Status, want.ChunkCount, want.UpdatedAt = store.FileProcessed, 7, utc(14)
		same(t, "processed", file(t, v.UUID, doc.UUID), want)
	})
	t.Run("add again returns the file unchanged", func(t *testing.T) {
		clock(15)
		got, err := s.AddVectorStoreFile(ctx, p.ID, v.UUID, doc.UUID)
		noErr(t, err)
		same(t, "added again", got, want)
		same(t, "VectorStoreFile", file(t, v.UUID, doc.UUID), want)
		files, err := s.VectorStoreFiles(ctx, p.ID, v.UUID)
		noErr(t, err)
		same(t, "VectorStoreFiles", files, []store.VectorStoreFile{*want})
	})
	t.Run("set status invalid", func(t *testing.T) {
		for _, status := range []string{"", "done", "PENDING"} {
			wantCode(t, s.SetVectorStoreFileStatus(ctx, v.ID, doc.ID, status, "", 0), store.EINVALID)
		}
		wantCode(t, s.SetVectorStoreFileStatus(ctx, v.ID, doc.ID, store.FileProcessed, "", -1), store.EINVALID)
		same(t, "unchanged", file(t, v.UUID, doc.UUID), want)
	})
	t.Run("set status unknown", func(t *testing.T) {
		unadded := newDocument(t, s, p.ID, "unadded.md")
		wantCode(t, s.SetVectorStoreFileStatus(ctx, v.ID, unadded.ID, store.FileProcessed, "", 1), store.ENOTFOUND)
		wantCode(t, s.SetVectorStoreFileStatus(ctx, 999_999, doc.ID, store.FileProcessed, "", 1), store.ENOTFOUND)
		wantCode(t, s.SetVectorStoreFileStatus(ctx, theirStore.ID, doc.ID, store.FileProcessed, "", 1), store.ENOTFOUND)
	})
	for _, c := range []struct {
		name                    string
		projectID               int64
		storeUUID, documentUUID string
	}{
		{"another project's store", p.ID, theirStore.UUID, doc.UUID},
		{"another project's document", p.ID, v.UUID, theirDoc.UUID},
		{"from another project", other.ID, v.UUID, doc.UUID},
		{"unknown store", p.ID, "vs_unknown", doc.UUID},
		{"unknown document", p.ID, v.UUID, "file-unknown"},
		{"store by name", p.ID, "kb", doc.UUID},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.AddVectorStoreFile(ctx, c.projectID, c.storeUUID, c.documentUUID)
			wantCode(t, err, store.ENOTFOUND)
			_, err = s.VectorStoreFile(ctx, c.projectID, c.storeUUID, c.documentUUID)
			wantCode(t, err, store.ENOTFOUND)
			wantCode(t, s.DeleteVectorStoreFile(ctx, c.projectID, c.storeUUID, c.documentUUID), store.ENOTFOUND)
		})
	}
	t.Run("failed adds leave nothing", func(t *testing.T) {
		files, err := s.VectorStoreFiles(ctx, p.ID, v.UUID)
		noErr(t, err)
		same(t, "VectorStoreFiles", files, []store.VectorStoreFile{*want})
		files, err = s.VectorStoreFiles(ctx, other.ID, theirStore.UUID)
		noErr(t, err)
		same(t, "their files", files, []store.VectorStoreFile{})
	})
	t.Run("document not in store", func(t *testing.T) {
		unadded := newDocument(t, s, p.ID, "unadded.md")
		_, err := s.VectorStoreFile(ctx, p.ID, v.UUID, unadded.UUID)
		wantCode(t, err, store.ENOTFOUND)
		wantCode(t, s.DeleteVectorStoreFile(ctx, p.ID, v.UUID, unadded.UUID), store.ENOTFOUND)
	})
	t.Run("listed newest first", func(t *testing.T) {
		w := newVectorStore(t, s, p.ID, "")
		files, err := s.VectorStoreFiles(ctx, p.ID, w.UUID)
		noErr(t, err)
		same(t, "none", files, []store.VectorStoreFile{})
		var want []store.VectorStoreFile
		for i := range 3 {
			clock(20 + i)
			f, err := s.AddVectorStoreFile(ctx, p.ID, w.UUID, newDocument(t, s, p.ID, unique("doc")).UUID)
			noErr(t, err)
			want = append([]store.VectorStoreFile{*f}, want...)
		}
		// The same document in another store is another file.
		_, err = s.AddVectorStoreFile(ctx, p.ID, v.UUID, want[0].UUID)
		noErr(t, err)
		files, err = s.VectorStoreFiles(ctx, p.ID, w.UUID)
		noErr(t, err)
		same(t, "VectorStoreFiles", files, want)
	})
	t.Run("list of another project's store", func(t *testing.T) {
		for _, c := range []struct {
			projectID int64
			uuid      string
		}{{other.ID, v.UUID}, {p.ID, theirStore.UUID}, {p.ID, "vs_unknown"}, {p.ID, "kb"}} {
			_, err := s.VectorStoreFiles(ctx, c.projectID, c.uuid)
			wantCode(t, err, store.ENOTFOUND)
		}
	})
	t.Run("concurrent adds store one file", func(t *testing.T) {
		w := newVectorStore(t, s, p.ID, "")
		d := newDocument(t, s, p.ID, "raced.md")
		var wg sync.WaitGroup
		got := make([]*store.VectorStoreFile, 10)
		for i := range got {
			wg.Go(func() {
				f, err := s.AddVectorStoreFile(ctx, p.ID, w.UUID, d.UUID)
				if err != nil {
					t.Error(err)
				}
				got[i] = f
			})
		}
		wg.Wait()
		files, err := s.VectorStoreFiles(ctx, p.ID, w.UUID)
		noErr(t, err)
		if len(files) != 1 {
			t.Fatalf("%d files, want 1", len(files))
		}
		for _, f := range got {
			same(t, "added", f, &files[0])
		}
	})
	t.Run("one document in two stores", func(t *testing.T) {
		a, b := newVectorStore(t, s, p.ID, ""), newVectorStore(t, s, p.ID, "")
		d := newDocument(t, s, p.ID, "shared.md")
		fa, err := s.AddVectorStoreFile(ctx, p.ID, a.UUID, d.UUID)
		noErr(t, err)
		fb, err := s.AddVectorStoreFile(ctx, p.ID, b.UUID, d.UUID)
		noErr(t, err)
		noErr(t, s.SetVectorStoreFileStatus(ctx, a.ID, d.ID, store.FileProcessed, "", 2))
		same(t, "b's file", file(t, b.UUID, d.UUID), fb)
		if got := file(t, a.UUID, d.UUID); got.Status != store.FileProcessed || got.ChunkCount != 2 || got.StoreID != fa.StoreID {
			t.Errorf("a's file %+v, want processed with 2 chunks", got)
		}
	})
	t.Run("delete", func(t *testing.T) {
		w := newVectorStore(t, s, p.ID, "")
		gone, kept := newDocument(t, s, p.ID, "gone.md"), newDocument(t, s, p.ID, "kept.md")
		for _, d := range []*store.Document{gone, kept} {
			f, err := s.AddVectorStoreFile(ctx, p.ID, w.UUID, d.UUID)
			noErr(t, err)
			noErr(t, s.ReplaceChunks(ctx, f.StoreID, f.DocumentID, []store.Chunk{
				{Seq: 0, Text: d.Name, Embedder: "e", Vector: []float32{1}},
				{Seq: 1, Text: d.Name, Embedder: "e", Vector: []float32{2}},
			}))
		}
		keptFile := file(t, w.UUID, kept.UUID)
		wantCode(t, s.DeleteVectorStoreFile(ctx, other.ID, w.UUID, gone.UUID), store.ENOTFOUND)
		noErr(t, s.DeleteVectorStoreFile(ctx, p.ID, w.UUID, gone.UUID))
		_, err := s.VectorStoreFile(ctx, p.ID, w.UUID, gone.UUID)
		wantCode(t, err, store.ENOTFOUND)
		wantCode(t, s.DeleteVectorStoreFile(ctx, p.ID, w.UUID, gone.UUID), store.ENOTFOUND)
		files, err := s.VectorStoreFiles(ctx, p.ID, w.UUID)
		noErr(t, err)
		same(t, "VectorStoreFiles", files, []store.VectorStoreFile{*keptFile})
		chunks, err := s.Chunks(ctx, p.ID, []int64{w.ID})
		noErr(t, err)
		if len(chunks) != 2 || chunks[0].DocumentID != kept.ID || chunks[1].DocumentID != kept.ID {
			t.Errorf("chunks after delete = %+v, want only kept.md's two", chunks)
		}
		// The document stays, and can be added again, with no chunks.
		read, err := s.Document(ctx, p.ID, gone.UUID)
		noErr(t, err)
		same(t, "document", read, gone)
		_, err = s.AddVectorStoreFile(ctx, p.ID, w.UUID, gone.UUID)
		noErr(t, err)
		chunks, err = s.Chunks(ctx, p.ID, []int64{w.ID})
		noErr(t, err)
		if len(chunks) != 2 {
			t.Errorf("%d chunks after adding the document again, want kept.md's 2", len(chunks))
		}
	})
}

// testDeleteDocument: a deleted document leaves every store it was in,
// with its chunks; other documents and projects are untouched.
func testDeleteDocument(t *testing.T, s store.Store) {
	ctx := t.Context()
	knowledgeClock(s)(30)
	p, other := newProject(t, s), newProject(t, s)
	a, b := newVectorStore(t, s, p.ID, ""), newVectorStore(t, s, p.ID, "")
	gone, kept := newDocument(t, s, p.ID, "gone.md"), newDocument(t, s, p.ID, "kept.md")
	for _, v := range []*store.VectorStore{a, b} {
		for _, d := range []*store.Document{gone, kept} {
			f, err := s.AddVectorStoreFile(ctx, p.ID, v.UUID, d.UUID)
			noErr(t, err)
			noErr(t, s.ReplaceChunks(ctx, f.StoreID, f.DocumentID, []store.Chunk{{Seq: 0, Text: d.Name, Embedder: "e", Vector: []float32{1}}}))
		}
	}
	wantCode(t, s.DeleteDocument(ctx, other.ID, gone.UUID), store.ENOTFOUND)
	noErr(t, s.DeleteDocument(ctx, p.ID, gone.UUID))
	_, err := s.Document(ctx, p.ID, gone.UUID)
	wantCode(t, err, store.ENOTFOUND)
	wantCode(t, s.DeleteDocument(ctx, p.ID, gone.UUID), store.ENOTFOUND)
	for _, v := range []*store.VectorStore{a, b} {
		_, err := s.VectorStoreFile(ctx, p.ID, v.UUID, gone.UUID)
		wantCode(t, err, store.ENOTFOUND)
		if got := loadVectorStore(t, s, p.ID, v.UUID); got.FileCount != 1 {
			t.Errorf("store %s has %d files after the delete, want 1", v.UUID, got.FileCount)
		}
	}
	chunks, err := s.Chunks(ctx, p.ID, []int64{a.ID, b.ID})
	noErr(t, err)
	if len(chunks) != 2 || chunks[0].DocumentID != kept.ID || chunks[1].DocumentID != kept.ID {
		t.Errorf("chunks after the delete = %+v, want kept.md's two", chunks)
	}
	docs, err := s.Documents(ctx, p.ID)
	noErr(t, err)
	same(t, "Documents", docs, []store.Document{*kept})
}

func testChunks(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, other := newProject(t, s), newProject(t, s)
	a, b := newVectorStore(t, s, p.ID, "a"), newVectorStore(t, s, p.ID, "b")
	d1, d2 := newDocument(t, s, p.ID, "one.txt"), newDocument(t, s, p.ID, "two.txt")
	for _, v := range []*store.VectorStore{a, b} {
		for _, d := range []*store.Document{d1, d2} {
			_, err := s.AddVectorStoreFile(ctx, p.ID, v.UUID, d.UUID)
			noErr(t, err)
		}
	}
	theirs := newVectorStore(t, s, other.ID, "a")
	theirDoc := newDocument(t, s, other.ID, "theirs.txt")
	_, err := s.AddVectorStoreFile(ctx, other.ID, theirs.UUID, theirDoc.UUID)
	noErr(t, err)

	chunk := func(v *store.VectorStore, d *store.Document, seq int, text string, vec ...float32) store.Chunk {
		return store.Chunk{StoreID: v.ID, DocumentID: d.ID, Seq: seq, Text: text, Embedder: "test/embedder", Vector: vec, Filename: d.Name}
	}
	// given is c as a caller passes it: without Filename.
	given := func(cs ...store.Chunk) []store.Chunk {
		out := make([]store.Chunk, len(cs))
		for i, c := range cs {
			c.Filename = ""
			out[i] = c
		}
		return out
	}
	load := func(t *testing.T, storeIDs ...int64) []store.Chunk {
		t.Helper()
		got, err := s.Chunks(ctx, p.ID, storeIDs)
		noErr(t, err)
		return got
	}

	a1 := []store.Chunk{
		chunk(a, d1, 0, "first", 0.25, -1.5, float32(math.Pi)),
		chunk(a, d1, 1, "second", math.MaxFloat32, math.SmallestNonzeroFloat32, -0.001),
		chunk(a, d1, 2, "third", 0, 1e-20, -3e10),
	}
	a2 := []store.Chunk{chunk(a, d2, 0, "Привет 👋", 1, 2, 3)}
	b1 := []store.Chunk{chunk(b, d1, 0, "in b", 4, 5, 6), chunk(b, d1, 1, "in b too", 7, 8, 9)}

	t.Run("none", func(t *testing.T) {
		same(t, "no stores", load(t), []store.Chunk{})
		same(t, "nil stores", load(t, nil...), []store.Chunk{})
		same(t, "empty stores", load(t, a.ID, b.ID), []store.Chunk{})
	})
	t.Run("round trip ordered by store, document and Seq", func(t *testing.T) {
		// Given out of order, and b before a.
		noErr(t, s.ReplaceChunks(ctx, b.ID, d1.ID, given(b1[1], b1[0])))
		noErr(t, s.ReplaceChunks(ctx, a.ID, d2.ID, given(a2...)))
		noErr(t, s.ReplaceChunks(ctx, a.ID, d1.ID, given(a1[2], a1[0], a1[1])))
		want := append(append(append([]store.Chunk{}, a1...), a2...), b1...)
		if a.ID > b.ID {
			want = append(append(append([]store.Chunk{}, b1...), a1...), a2...)
		}
		same(t, "Chunks", load(t, b.ID, a.ID), want)
		same(t, "Chunks of a", load(t, a.ID), append(append([]store.Chunk{}, a1...), a2...))
		same(t, "Chunks of b, asked twice", load(t, b.ID, b.ID), b1)
	})
	t.Run("the store's and document's ids come from the call", func(t *testing.T) {
		c := chunk(b, d2, 0, "mislabelled", 1)
		c.StoreID, c.DocumentID = a.ID, d1.ID
		noErr(t, s.ReplaceChunks(ctx, b.ID, d2.ID, []store.Chunk{c}))
		got := load(t, b.ID)
		same(t, "Chunks of b", got, append(append([]store.Chunk{}, b1...), chunk(b, d2, 0, "mislabelled", 1)))
		noErr(t, s.ReplaceChunks(ctx, b.ID, d2.ID, nil))
		same(t, "Chunks of a", load(t, a.ID), append(append([]store.Chunk{}, a1...), a2...))
	})
	t.Run("replace, not add", func(t *testing.T) {
		fewer := []store.Chunk{chunk(a, d1, 0, "only", 9, 9, 9)}
		noErr(t, s.ReplaceChunks(ctx, a.ID, d1.ID, given(fewer...)))
		noErr(t, s.ReplaceChunks(ctx, a.ID, d1.ID, given(fewer...))) // again
		same(t, "Chunks of a", load(t, a.ID), append(append([]store.Chunk{}, fewer...), a2...))
		// Another embedder and length is fine for the document as a whole.
		other := []store.Chunk{{StoreID: a.ID, DocumentID: d1.ID, Seq: 0, Text: "x", Embedder: "other", Vector: []float32{1}, Filename: d1.Name}}
		noErr(t, s.ReplaceChunks(ctx, a.ID, d1.ID, given(other...)))
		same(t, "Chunks of a", load(t, a.ID), append(append([]store.Chunk{}, other...), a2...))
		noErr(t, s.ReplaceChunks(ctx, a.ID, d1.ID, given(a1...)))
		same(t, "Chunks of a", load(t, a.ID), append(append([]store.Chunk{}, a1...), a2...))
		// None clears the document's.
		noErr(t, s.ReplaceChunks(ctx, a.ID, d2.ID, []store.Chunk{}))
		same(t, "Chunks of a", load(t, a.ID), a1)
		noErr(t, s.ReplaceChunks(ctx, a.ID, d2.ID, given(a2...)))
	})
	all := func(t *testing.T) []store.Chunk {
		t.Helper()
		return load(t, a.ID, b.ID)
	}
	t.Run("invalid chunks change nothing", func(t *testing.T) {
		before := all(t)
		ok := chunk(a, d1, 0, "ok", 1, 2, 3)
		with := func(change func(*store.Chunk)) store.Chunk {
			c := chunk(a, d1, 1, "bad", 1, 2, 3)
			change(&c)
			return c
		}
		for _, c := range []struct {
			name string
			bad  store.Chunk
		}{
			{"shorter vector", with(func(c *store.Chunk) { c.Vector = []float32{1, 2} })},
			{"longer vector", with(func(c *store.Chunk) { c.Vector = []float32{1, 2, 3, 4} })},
			{"empty vector", with(func(c *store.Chunk) { c.Vector = []float32{} })},
			{"nil vector", with(func(c *store.Chunk) { c.Vector = nil })},
			{"empty embedder", with(func(c *store.Chunk) { c.Embedder = "" })},
			{"another embedder", with(func(c *store.Chunk) { c.Embedder = "other" })},
			{"repeated Seq", with(func(c *store.Chunk) { c.Seq = 0 })},
			{"negative Seq", with(func(c *store.Chunk) { c.Seq = -1 })},
		} {
			t.Run(c.name, func(t *testing.T) {
				wantCode(t, s.ReplaceChunks(ctx, a.ID, d1.ID, []store.Chunk{ok, c.bad}), store.EINVALID)
				wantCode(t, s.ReplaceChunks(ctx, a.ID, d1.ID, []store.Chunk{c.bad, ok}), store.EINVALID)
			})
		}
		for _, c := range []struct {
			name string
			one  store.Chunk
		}{
			{"one chunk with an empty vector", with(func(c *store.Chunk) { c.Vector = nil })},
			{"one chunk with no embedder", with(func(c *store.Chunk) { c.Embedder = "" })},
		} {
			t.Run(c.name, func(t *testing.T) {
				wantCode(t, s.ReplaceChunks(ctx, a.ID, d1.ID, []store.Chunk{c.one}), store.EINVALID)
			})
		}
		same(t, "Chunks", all(t), before)
	})
	t.Run("document not in the store", func(t *testing.T) {
		before := all(t)
		lone := newDocument(t, s, p.ID, "lone.txt")
		c := []store.Chunk{chunk(a, lone, 0, "x", 1, 2, 3)}
		for _, ids := range [][2]int64{{a.ID, lone.ID}, {999_999, d1.ID}, {a.ID, 999_999}, {theirs.ID, d1.ID}, {a.ID, theirDoc.ID}} {
			wantCode(t, s.ReplaceChunks(ctx, ids[0], ids[1], c), store.ENOTFOUND)
		}
		same(t, "Chunks", all(t), before)
	})
	t.Run("other projects' stores ignored", func(t *testing.T) {
		mine := all(t)
		noErr(t, s.ReplaceChunks(ctx, theirs.ID, theirDoc.ID, []store.Chunk{chunk(theirs, theirDoc, 0, "secret", 1, 2, 3)}))
		same(t, "Chunks with theirs", load(t, a.ID, theirs.ID, b.ID), mine)
		same(t, "Chunks of theirs", load(t, theirs.ID), []store.Chunk{})
		same(t, "Chunks of unknown", load(t, 999_999), []store.Chunk{})
		got, err := s.Chunks(ctx, other.ID, []int64{theirs.ID, a.ID})
		noErr(t, err)
		same(t, "their Chunks", got, []store.Chunk{chunk(theirs, theirDoc, 0, "secret", 1, 2, 3)})
	})
	t.Run("text cleaned", func(t *testing.T) {
		noErr(t, s.ReplaceChunks(ctx, b.ID, d2.ID, []store.Chunk{{Seq: 0, Text: "a\x00b\xff", Embedder: "e", Vector: []float32{1}}}))
		got := load(t, b.ID)
		if last := got[len(got)-1]; last.Text != "a\uFFFDb\uFFFD" || last.DocumentID != d2.ID {
			t.Errorf("chunk %+v, want text %q", last, "a\uFFFDb\uFFFD")
		}
	})
	t.Run("a large document", func(t *testing.T) {
		big := make([]store.Chunk, 500)
		for i := range big {
			vec := make([]float32, 256)
			for j := range vec {
				vec[j] = float32(i*256+j) / 7
			}
			big[i] = store.Chunk{StoreID: b.ID, DocumentID: d2.ID, Seq: i, Text: strings.Repeat("x", i), Embedder: "e", Vector: vec, Filename: d2.Name}
		}
		noErr(t, s.ReplaceChunks(ctx, b.ID, d2.ID, given(big...)))
		same(t, "Chunks of b", load(t, b.ID), append(append([]store.Chunk{}, b1...), big...))
	})
	t.Run("concurrent replacements leave one set", func(t *testing.T) {
		v := newVectorStore(t, s, p.ID, "")
		f, err := s.AddVectorStoreFile(ctx, p.ID, v.UUID, d1.UUID)
		noErr(t, err)
		sets := make([][]store.Chunk, 10)
		for i := range sets {
			for seq := range 5 {
				sets[i] = append(sets[i], store.Chunk{StoreID: v.ID, DocumentID: d1.ID, Seq: seq,
					Text: fmt.Sprint("set ", i), Embedder: "e", Vector: []float32{float32(i), float32(seq)}, Filename: d1.Name})
			}
		}
		var wg sync.WaitGroup
		for _, set := range sets {
			wg.Go(func() {
				if err := s.ReplaceChunks(ctx, f.StoreID, f.DocumentID, given(set...)); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		got := load(t, v.ID)
		if len(got) != 5 {
			t.Fatalf("%d chunks, want one set of 5", len(got))
		}
		same(t, "Chunks", got, sets[int(got[0].Vector[0])])
	})
	t.Run("replacing while the store is deleted", func(t *testing.T) {
		// Each call either wins or finds the store gone; none fails
		// otherwise, and nothing of the store is left.
		v := newVectorStore(t, s, p.ID, "")
		f, err := s.AddVectorStoreFile(ctx, p.ID, v.UUID, d1.UUID)
		noErr(t, err)
		var wg sync.WaitGroup
		for i := range 10 {
			wg.Go(func() {
				err := s.ReplaceChunks(ctx, f.StoreID, f.DocumentID, []store.Chunk{{Seq: 0, Text: "x", Embedder: "e", Vector: []float32{float32(i)}}})
				if code := store.ErrorCode(err); code != "" && code != store.ENOTFOUND {
					t.Errorf("ReplaceChunks: %v", err)
				}
			})
			if i == 5 {
				wg.Go(func() {
					if err := s.DeleteVectorStore(ctx, p.ID, v.UUID); err != nil {
						t.Errorf("DeleteVectorStore: %v", err)
					}
				})
			}
		}
		wg.Wait()
		same(t, "Chunks", load(t, v.ID), []store.Chunk{})
	})
}

// testWorkingMemory checks that a dialog's working memory is stored by
// CreateDialog, SaveDialogState and SaveTurn, by the same rules as the
// other state fields, and read back by every lookup.
func testWorkingMemory(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newProject(t, s)
	const memory = "## Facts\n- name: Ann\n- plan: **pro** 🚀"
	d := &store.Dialog{ProjectID: p.ID, DialogState: store.DialogState{Status: store.StatusCreated, WorkingMemory: memory}}
	noErr(t, s.CreateDialog(ctx, d))
	check := func(t *testing.T, want string) {
		t.Helper()
		byID, err := s.DialogByID(ctx, p.ID, d.ID)
		noErr(t, err)
		byUUID, err := s.Dialog(ctx, p.ID, d.UUID)
		noErr(t, err)
		listed, _, err := s.ListDialogs(ctx, p.ID, store.DialogFilter{})
		noErr(t, err)
		for what, got := range map[string]string{"DialogByID": byID.WorkingMemory, "Dialog": byUUID.WorkingMemory} {
			if got != want {
				t.Errorf("%s: WorkingMemory %q, want %q", what, got, want)
			}
		}
		for _, l := range listed {
			if l.ID == d.ID && l.WorkingMemory != want {
				t.Errorf("ListDialogs: WorkingMemory %q, want %q", l.WorkingMemory, want)
			}
		}
	}
	state := func(seq int64, memory string) store.DialogState {
		return store.DialogState{DialogID: d.ID, StateSeq: seq, Status: store.StatusInProcess, WorkingMemory: memory, UpdatedAt: utc(int(seq))}
	}
	t.Run("created", func(t *testing.T) {
		if d.WorkingMemory != memory {
			t.Errorf("created WorkingMemory %q, want %q", d.WorkingMemory, memory)
		}
		check(t, memory)
	})
	t.Run("SaveDialogState", func(t *testing.T) {
		noErr(t, s.SaveDialogState(ctx, state(1, "- one")))
		check(t, "- one")
		noErr(t, s.SaveDialogState(ctx, state(1, "- retry")))
		noErr(t, s.SaveDialogState(ctx, state(0, "- older")))
		check(t, "- one")
	})
	t.Run("SaveTurn", func(t *testing.T) {
		st := state(2, "- two")
		noErr(t, s.SaveTurn(ctx, store.Turn{Messages: []store.Message{message(d, 1, "Hi")}, State: &st}))
		check(t, "- two")
		old := state(2, "- late")
		noErr(t, s.SaveTurn(ctx, store.Turn{State: &old}))
		check(t, "- two")
	})
	t.Run("cleared", func(t *testing.T) {
		noErr(t, s.SaveDialogState(ctx, state(3, "")))
		check(t, "")
	})
	t.Run("cleaned", func(t *testing.T) {
		noErr(t, s.SaveDialogState(ctx, state(4, "a\x00b\xff")))
		check(t, "a\uFFFDb\uFFFD")
	})
	t.Run("a failed turn leaves it", func(t *testing.T) {
		st := state(5, "- lost")
		bad := message(d, 2, "bad")
		bad.Usage = &store.Usage{PromptTokens: -1}
		wantCode(t, s.SaveTurn(ctx, store.Turn{Messages: []store.Message{bad}, State: &st}), store.EINVALID)
		check(t, "a\uFFFDb\uFFFD")
	})
}

// testSources checks that a message's knowledge sources round-trip through
// AppendMessages and SaveTurn: nil stays nil, a list comes back equal, and
// retries keep the first write's.
func testSources(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newProject(t, s)
	d := newDialog(t, s, p.ID, 0)
	list := func(t *testing.T) []store.Message {
		t.Helper()
		got, err := s.Messages(ctx, d.ID)
		noErr(t, err)
		return got
	}
	withSources := func(m store.Message, sources ...store.Source) store.Message {
		m.Sources = sources
		return m
	}
	sources := []store.Source{
		{Store: "vs_abc", Document: "file-def", Filename: "handbook.pdf", Chunk: 3, Score: 0.8312345678901234, Text: "Refunds take 14 days."},
		{Store: "vs_abc", Document: "file-ghi", Filename: "отчёт.md", Chunk: 0, Score: -0.25, Text: "Привет 👋 \"quoted\" \\ <b>&</b>\n\x00"},
		{},
	}
	m1 := withSources(message(d, 1, "From the handbook"), sources...)
	m2 := message(d, 2, "no sources") // Sources nil
	m3 := withSources(message(d, 3, "one"), sources[0])
	m4 := message(d, 4, "empty")
	m4.Sources = []store.Source{}
	t.Run("round trip", func(t *testing.T) {
		noErr(t, s.AppendMessages(ctx, []store.Message{m1, m2}))
		noErr(t, s.SaveTurn(ctx, store.Turn{Messages: []store.Message{m3, m4}}))
		got := list(t)
		same(t, "Messages", got, storedMessages(m1, m2, m3, m4))
		if len(got) == 4 {
			if got[1].Sources != nil {
				t.Errorf("Sources of a message without them = %#v, want nil", got[1].Sources)
			}
			if got[3].Sources == nil {
				t.Errorf("Sources of a message with an empty list = nil, want empty")
			}
		}
	})
	t.Run("retry keeps the first sources", func(t *testing.T) {
		r1 := withSources(m1, store.Source{Store: "vs_other"})
		r2 := withSources(m2, sources[0])
		noErr(t, s.AppendMessages(ctx, []store.Message{r1, r2}))
		same(t, "Messages", list(t), storedMessages(m1, m2, m3, m4))
	})
	t.Run("score not a number", func(t *testing.T) {
		before := list(t)
		for _, score := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
			bad := withSources(message(d, 6, "bad"), store.Source{Store: "vs_x", Score: score})
			wantCode(t, s.AppendMessages(ctx, []store.Message{message(d, 5, "ok"), bad}), store.EINVALID)
		}
		same(t, "Messages", list(t), before)
	})
}

// RawKnowledge checks, through the raw tables, how knowledge is stored:
// vector reads chunks.vector of a chunk, and sources reads
// messages.sources of a message (nil for NULL). A vector is its
// little-endian float32s; a message without sources stores NULL, and one
// with sources a JSON list.
func RawKnowledge(t *testing.T, s store.Store,
	vector func(t *testing.T, storeID, documentID int64, seq int) []byte,
	sources func(t *testing.T, messageID string) *string) {
	t.Helper()
	ctx := t.Context()
	p := newProject(t, s)
	v, doc := newVectorStore(t, s, p.ID, ""), newDocument(t, s, p.ID, "a.txt")
	_, err := s.AddVectorStoreFile(ctx, p.ID, v.UUID, doc.UUID)
	noErr(t, err)
	noErr(t, s.ReplaceChunks(ctx, v.ID, doc.ID, []store.Chunk{{Seq: 0, Text: "x", Embedder: "e", Vector: []float32{1, -2.5}}}))
	want := []byte{0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0}
	if got := vector(t, v.ID, doc.ID, 0); string(got) != string(want) {
		t.Errorf("stored vector % x, want % x", got, want)
	}

	d := newDialog(t, s, p.ID, 0)
	without, with := message(d, 1, "no sources"), message(d, 2, "sources")
	with.Sources = []store.Source{{Store: v.UUID, Document: doc.UUID, Filename: "a.txt", Chunk: 0, Score: 0.5, Text: "x"}}
	noErr(t, s.AppendMessages(ctx, []store.Message{without, with}))
	if got := sources(t, without.ID); got != nil {
		t.Errorf("sources of a message without them = %q, want NULL", *got)
	}
	got := sources(t, with.ID)
	var list []map[string]any
	if got == nil || json.Unmarshal([]byte(*got), &list) != nil || len(list) != 1 {
		t.Errorf("sources = %v, want a JSON list of one", got)
	}
}
