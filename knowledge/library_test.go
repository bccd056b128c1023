package knowledge_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/blobs"
	"github.com/parleyhq/parley/knowledge"
	"github.com/parleyhq/parley/store"
)

// newLibrary is a library on SQLite that indexes before AddFile returns.
func newLibrary(db store.Store, emb knowledge.Embedder, files blobs.Dir) *knowledge.Library {
	return &knowledge.Library{Store: db, Index: knowledge.NewStoreIndex(db), Embedder: emb, Blobs: files}
}

func writeDoc(t *testing.T, name, text string) string {
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestLibraryRefusesASecondEmbedder: a store indexed by one embedder
// keeps a file another embedder would index in error with a reason, and a
// search with the other embedder says what is wrong instead of mixing.
func TestLibraryRefusesASecondEmbedder(t *testing.T) {
	ctx := t.Context()
	db := openSQLite(t)
	org, _ := db.CreateOrganization(ctx, "o")
	p, _ := db.CreateProject(ctx, org.ID, "p")
	files := blobs.Dir(t.TempDir())
	first := newLibrary(db, knowledge.NewHashEmbedder(256), files)
	vs, err := first.StoreNamed(ctx, p.ID, "kb")
	if err != nil {
		t.Fatal(err)
	}
	f, err := first.AddLocalFile(ctx, vs, writeDoc(t, "a.txt", "Parcels ship within two days."))
	if err != nil || f.Status != store.FileProcessed {
		t.Fatalf("first file: %+v %v", f, err)
	}
	second := newLibrary(db, knowledge.NewHashEmbedder(512), files)
	f, err = second.AddLocalFile(ctx, vs, writeDoc(t, "b.txt", "Returns are free for thirty days."))
	if err != nil || f.Status != store.FileError || !strings.Contains(f.Error, "hash-v1-256") || !strings.Contains(f.Error, "new vector store") {
		t.Errorf("second embedder's file: %+v %v", f, err)
	}
	if _, err := second.Search(ctx, p.ID, []string{"kb"}, "shipping", 3, 0); err == nil || !strings.Contains(err.Error(), "was indexed with the embedder hash-v1-256") {
		t.Errorf("search with another embedder: %v", err)
	}
	hits, err := first.Search(ctx, p.ID, []string{"kb"}, "when do parcels ship", 3, 0)
	if err != nil || len(hits) != 1 || hits[0].Filename != "a.txt" || !strings.HasPrefix(hits[0].Document, "file-") {
		t.Errorf("search: %+v %v", hits, err)
	}
}

// TestLibraryFileErrors: a file that cannot be indexed ends in error with
// a reason that says what to do, and other files are unaffected.
func TestLibraryFileErrors(t *testing.T) {
	ctx := t.Context()
	db := openSQLite(t)
	org, _ := db.CreateOrganization(ctx, "o")
	p, _ := db.CreateProject(ctx, org.ID, "p")
	lib := newLibrary(db, knowledge.NewHashEmbedder(64), blobs.Dir(t.TempDir()))
	vs, err := lib.StoreNamed(ctx, p.ID, "kb")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"tool.exe":  "unsupported file type; upload one of:",
		"empty.txt": "has no text to index",
	} {
		f, err := lib.AddLocalFile(ctx, vs, writeDoc(t, name, map[string]string{"tool.exe": "MZ\x00\x01\x02", "empty.txt": "  \n "}[name]))
		if err != nil || f.Status != store.FileError || !strings.Contains(f.Error, want) {
			t.Errorf("%s: %+v %v, want error %q", name, f, err, want)
		}
	}
	again, err := lib.StoreNamed(ctx, p.ID, "kb")
	if err != nil || again.UUID != vs.UUID || again.Status != store.VectorStoreError {
		t.Errorf("the store again: %+v %v", again, err)
	}
}

// TestLibraryDeleteDocument: a deleted document leaves every store it was
// in, and searches find only what is left, with chunks in the database and
// in Qdrant (where only the library's call removes them).
func TestLibraryDeleteDocument(t *testing.T) {
	t.Run("StoreIndex", func(t *testing.T) {
		testLibraryDeleteDocument(t, func(db store.Store) knowledge.Index { return knowledge.NewStoreIndex(db) })
	})
	t.Run("QdrantIndex", func(t *testing.T) {
		testLibraryDeleteDocument(t, func(store.Store) knowledge.Index {
			x, err := knowledge.NewQdrantIndex(t.Context(), startFakeQdrant(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { x.Close() })
			return x
		})
	})
}

func testLibraryDeleteDocument(t *testing.T, index func(store.Store) knowledge.Index) {
	ctx := t.Context()
	db := openSQLite(t)
	org, _ := db.CreateOrganization(ctx, "o")
	p, _ := db.CreateProject(ctx, org.ID, "p")
	lib := newLibrary(db, knowledge.NewHashEmbedder(256), blobs.Dir(t.TempDir()))
	lib.Index = index(db)
	shipping := writeDoc(t, "shipping.txt", "Parcels ship within two days.")
	returns := writeDoc(t, "returns.txt", "Returns are free for thirty days.")
	kb, err := lib.StoreNamed(ctx, p.ID, "kb")
	if err != nil {
		t.Fatal(err)
	}
	faq, err := lib.StoreNamed(ctx, p.ID, "faq")
	if err != nil {
		t.Fatal(err)
	}
	f, err := lib.AddLocalFile(ctx, kb, shipping)
	if err != nil || f.Status != store.FileProcessed {
		t.Fatalf("shipping.txt: %+v %v", f, err)
	}
	gone := f.UUID
	if f, err := lib.AddFile(ctx, p.ID, faq.UUID, gone); err != nil || f.Status != store.FileProcessed { // the same document in a second store
		t.Fatalf("shipping.txt in faq: %+v %v", f, err)
	}
	for _, vs := range []*store.VectorStore{kb, faq} {
		if _, err := lib.AddLocalFile(ctx, vs, returns); err != nil {
			t.Fatal(err)
		}
	}
	if err := lib.DeleteDocument(ctx, p.ID, gone); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"kb", "faq"} {
		hits, err := lib.Search(ctx, p.ID, []string{name}, "when do parcels ship", 3, -1)
		if err != nil || len(hits) != 1 || hits[0].Filename != "returns.txt" {
			t.Errorf("search of %s after the delete: %+v %v", name, hits, err)
		}
	}
	if err := lib.DeleteDocument(ctx, p.ID, gone); store.ErrorCode(err) != store.ENOTFOUND {
		t.Errorf("deleting again: %v, want ENOTFOUND", err)
	}
}
