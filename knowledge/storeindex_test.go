package knowledge_test

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/parleyhq/parley/knowledge"
	"github.com/parleyhq/parley/knowledge/indextest"
	"github.com/parleyhq/parley/store/sqlite"
)

// openSQLite opens a new SQLite database in a temporary directory, closed
// when tb ends.
func openSQLite(tb testing.TB) *sqlite.DB {
	tb.Helper()
	db, err := sqlite.Open(tb.Context(), filepath.Join(tb.TempDir(), "parley.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

func TestStoreIndexContract(t *testing.T) {
	indextest.Run(t, func(t *testing.T) indextest.Fixture {
		db := openSQLite(t)
		return indextest.StoreFixture(db, knowledge.NewStoreIndex(db))
	})
}

// TestStoreIndexDeleteStoreKeepsChunks: DeleteStore leaves a live store's
// chunks alone (they go with the store's records), so calling it before
// deleting the store, or without, loses nothing.
func TestStoreIndexDeleteStoreKeepsChunks(t *testing.T) {
	db := openSQLite(t)
	x := knowledge.NewStoreIndex(db)
	f := indextest.StoreFixture(db, x)
	p := f.Place(t, "p", "s", "d")
	v := []float32{1, 0}
	err := x.Upsert(t.Context(), []knowledge.IndexedChunk{{ProjectID: p.ProjectID, StoreID: p.StoreID, DocumentID: p.DocumentID, Text: "kept", Embedder: "e", Vector: v}})
	if err != nil {
		t.Fatal(err)
	}
	if err := x.DeleteStore(t.Context(), p.ProjectID, p.StoreID); err != nil {
		t.Fatal(err)
	}
	hits, err := x.Search(t.Context(), knowledge.Query{ProjectID: p.ProjectID, StoreIDs: []int64{p.StoreID}, Embedder: "e", Vector: v})
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].Text != "kept" {
		t.Errorf("after DeleteStore of a live store: %+v, want the chunk kept", hits)
	}
}

// TestStoreIndexUpsertNotInStore: chunks of a document not in the store
// are refused (ENOTFOUND from the store).
func TestStoreIndexUpsertNotInStore(t *testing.T) {
	db := openSQLite(t)
	x := knowledge.NewStoreIndex(db)
	f := indextest.StoreFixture(db, x)
	p := f.Place(t, "p", "s", "d")
	err := x.Upsert(t.Context(), []knowledge.IndexedChunk{{ProjectID: p.ProjectID, StoreID: p.StoreID, DocumentID: p.DocumentID + 1000, Text: "x", Embedder: "e", Vector: []float32{1}}})
	if err == nil {
		t.Error("Upsert of a document not in the store succeeded")
	}
}

// BenchmarkStoreIndexSearch searches one store of 2,000 chunks of 512
// dimensions (20 documents of 100 chunks) on SQLite: reading and decoding
// every vector, then exact cosine.
func BenchmarkStoreIndexSearch(b *testing.B) {
	const docs, perDoc, dim = 20, 100, knowledge.DefaultHashDim
	db := openSQLite(b)
	x := knowledge.NewStoreIndex(db)
	f := indextest.StoreFixture(db, x)
	rng := rand.New(rand.NewPCG(1, 2))
	vec := func() []float32 {
		v := make([]float32, dim)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return v
	}
	var storeID, projectID int64
	for d := range docs {
		p := f.Place(b, "p", "s", fmt.Sprintf("d%d", d))
		storeID, projectID = p.StoreID, p.ProjectID
		chunks := make([]knowledge.IndexedChunk, perDoc)
		for i := range chunks {
			chunks[i] = knowledge.IndexedChunk{ProjectID: p.ProjectID, StoreID: p.StoreID, DocumentID: p.DocumentID, Seq: i,
				Text:     fmt.Sprintf("chunk %d of document %d, about as long as a short paragraph of a real document would be.", i, d),
				Embedder: "bench", Vector: vec()}
		}
		if err := x.Upsert(b.Context(), chunks); err != nil {
			b.Fatal(err)
		}
	}
	q := knowledge.Query{ProjectID: projectID, StoreIDs: []int64{storeID}, Embedder: "bench", Vector: vec(), MinScore: -1}
	b.ReportAllocs()
	for b.Loop() {
		hits, err := x.Search(b.Context(), q)
		if err != nil {
			b.Fatal(err)
		}
		if len(hits) != knowledge.DefaultTopK {
			b.Fatalf("%d hits", len(hits))
		}
	}
}
