// Package indextest is the contract of knowledge.Index: one suite that
// every implementation (the embedded StoreIndex, QdrantIndex) must pass, so
// that they stay interchangeable.
//
// Besides knowledge.Index's own documentation, the suite pins down:
//
//   - Search returns a non-nil slice, empty when nothing matches (so that
//     it encodes as [] in JSON, never null), also for an unknown store or
//     embedder, no stores at all, or a vector of another length than the
//     embedder's chunks.
//   - Scores are cosine similarities (within 1e-5 of knowledge.Cosine);
//     hits with equal scores come ordered by store, document and Seq.
//   - TopK <= 0 means knowledge.DefaultTopK; MinScore keeps scores >= it,
//     so the zero Query drops chunks pointing away from the query.
//   - Upserting no chunks does nothing; chunks of several documents or
//     embedders in one Upsert are an error.
//   - Upsert replaces a document's earlier chunks in that store whatever
//     embedder made them; other documents and other stores keep theirs.
//   - DeleteDocument and DeleteStore of what is not indexed (or no longer
//     is) succeed.
//   - A project sees only its own chunks, even when another project's
//     store has the same id (as it may in an index that keeps no records).
package indextest

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/parleyhq/parley/knowledge"
)

// Place is where a document's chunks go: a document in a vector store of a
// project, with the document's file name as hits report it.
type Place struct {
	ProjectID  int64
	StoreID    int64
	DocumentID int64
	Filename   string
}

// Fixture is an Index under test with what the suite needs around it.
type Fixture struct {
	Index knowledge.Index
	// Place returns the Place of the named document in the named store of
	// the named project, first making whatever records the index needs to
	// keep chunks there (the StoreIndex: project, vector store, document
	// added to the store; Qdrant: none). Names are the suite's own: the
	// same names give the same Place; a store name in two projects names
	// two stores, which may have the same StoreID in an index that keeps
	// no records; a document name in two stores of one project names one
	// document, added to both.
	Place func(t testing.TB, project, store, document string) Place
	// RemoveDocument, if set, does to the records what the app does when
	// a document leaves a store, before the suite calls DeleteDocument:
	// the StoreIndex's records own its chunks.
	RemoveDocument func(t testing.TB, p Place)
	// RemoveStore, if set, does to the records what the app does when a
	// store is deleted, before the suite calls DeleteStore.
	RemoveStore func(t testing.TB, p Place)
}

// Places returns a Fixture.Place for an index that needs no records: it
// hands out ids, numbering stores and documents within each project, so
// that stores of different projects share ids.
func Places() func(t testing.TB, project, store, document string) Place {
	var mu sync.Mutex
	projects := map[string]int64{}
	stores := map[string]int64{}
	docs := map[string]int64{}
	perProject := map[string]int64{}
	return func(t testing.TB, project, store, document string) Place {
		mu.Lock()
		defer mu.Unlock()
		if _, ok := projects[project]; !ok {
			projects[project] = int64(len(projects) + 1)
		}
		id := func(m map[string]int64, key string) int64 {
			if _, ok := m[key]; !ok {
				perProject[project]++
				m[key] = perProject[project]
			}
			return m[key]
		}
		return Place{
			ProjectID:  projects[project],
			StoreID:    id(stores, project+"\x00"+store),
			DocumentID: id(docs, project+"\x00"+document),
			Filename:   document + ".txt",
		}
	}
}

// Run runs the contract suite, opening a new Fixture for every test.
func Run(t *testing.T, open func(t *testing.T) Fixture) {
	tests := []struct {
		name string
		fn   func(t *testing.T, f Fixture)
	}{
		{"NearestFirst", testNearestFirst},
		{"ExactScores", testExactScores},
		{"TopK", testTopK},
		{"MinScore", testMinScore},
		{"Ties", testTies},
		{"ProjectIsolation", testProjectIsolation},
		{"StoreFilter", testStoreFilter},
		{"EmbedderFilter", testEmbedderFilter},
		{"Reupsert", testReupsert},
		{"ReupsertOtherEmbedder", testReupsertOtherEmbedder},
		{"UpsertInvalid", testUpsertInvalid},
		{"DeleteDocument", testDeleteDocument},
		{"DeleteDocumentKeepingRecords", testDeleteDocumentKeepingRecords},
		{"DeleteStore", testDeleteStore},
		{"Empty", testEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

// Embedders of the hand-made vectors.
const (
	vecA = "indextest-a-4"
	vecB = "indextest-b-4"
)

// chunk is one chunk to upsert: its text and vector.
type chunk struct {
	text string
	vec  []float32
}

// upsert indexes chunks (Seq 0, 1, ...) of the document at p.
func upsert(t *testing.T, f Fixture, p Place, embedder string, chunks ...chunk) {
	t.Helper()
	if err := f.Index.Upsert(t.Context(), indexed(p, embedder, chunks...)); err != nil {
		t.Fatalf("Upsert(%+v): %v", p, err)
	}
}

func indexed(p Place, embedder string, chunks ...chunk) []knowledge.IndexedChunk {
	out := make([]knowledge.IndexedChunk, len(chunks))
	for i, c := range chunks {
		out[i] = knowledge.IndexedChunk{
			ProjectID: p.ProjectID, StoreID: p.StoreID, DocumentID: p.DocumentID, Seq: i,
			Text: c.text, Filename: p.Filename, Embedder: embedder, Vector: c.vec,
		}
	}
	return out
}

// search runs q and fails the test on an error or a nil result.
func search(t *testing.T, f Fixture, q knowledge.Query) []knowledge.Hit {
	t.Helper()
	hits, err := f.Index.Search(t.Context(), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	if hits == nil {
		t.Fatalf("Search(%+v) = nil, want a non-nil slice", q)
	}
	return hits
}

// texts returns the hits' texts, in order.
func texts(hits []knowledge.Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.Text
	}
	return out
}

// wantTexts checks the hits' texts, in order.
func wantTexts(t *testing.T, what string, hits []knowledge.Hit, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if got := texts(hits); !slices.Equal(got, want) {
		t.Errorf("%s: got texts %q, want %q", what, got, want)
	}
}

// wantSameTexts checks the hits' texts, in any order.
func wantSameTexts(t *testing.T, what string, hits []knowledge.Hit, want ...string) {
	t.Helper()
	got := texts(hits)
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	if want == nil {
		want = []string{}
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: got texts %q, want %q (in any order)", what, got, want)
	}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-5 }

// all asks for every chunk however far: a large TopK, the lowest MinScore.
func all(p Place, embedder string, vec []float32, stores ...int64) knowledge.Query {
	if stores == nil {
		stores = []int64{p.StoreID}
	}
	return knowledge.Query{ProjectID: p.ProjectID, StoreIDs: stores, Embedder: embedder, Vector: vec, TopK: 100, MinScore: -1}
}

var corpus = []string{
	"To reset your password, open Settings, choose Security and click Reset password; we email you a link.",
	"Invoices are sent on the first day of each month and can be paid by card or bank transfer.",
	"Our office in Lisbon is open from nine to five, Monday to Friday, except public holidays.",
	"The mobile app works offline and syncs your notes when the connection returns.",
	"Refunds are issued within fourteen days to the card used for the purchase.",
}

func testNearestFirst(t *testing.T, f Fixture) {
	ctx := t.Context()
	emb := knowledge.NewHashEmbedder(knowledge.DefaultHashDim)
	vecs := embed(ctx, t, emb, corpus...)
	p1 := f.Place(t, "p", "s", "faq")
	p2 := f.Place(t, "p", "s", "office")
	var first []chunk
	for i := range 2 {
		first = append(first, chunk{corpus[i], vecs[i]})
	}
	var second []chunk
	for i := 2; i < len(corpus); i++ {
		second = append(second, chunk{corpus[i], vecs[i]})
	}
	upsert(t, f, p1, emb.Name(), first...)
	upsert(t, f, p2, emb.Name(), second...)

	for _, tc := range []struct {
		question string
		want     int // index in corpus
	}{
		{"How can I reset my password?", 0},
		{"when is the Lisbon office open", 2},
		{"I want a refund for my purchase", 4},
		{"does the app work offline?", 3},
	} {
		q := embed(ctx, t, emb, tc.question)[0]
		hits := search(t, f, knowledge.Query{ProjectID: p1.ProjectID, StoreIDs: []int64{p1.StoreID}, Embedder: emb.Name(), Vector: q, MinScore: -1, TopK: len(corpus)})
		if len(hits) != len(corpus) {
			t.Fatalf("%q: %d hits, want %d", tc.question, len(hits), len(corpus))
		}
		if hits[0].Text != corpus[tc.want] {
			t.Errorf("%q: best hit %q, want %q", tc.question, hits[0].Text, corpus[tc.want])
		}
		for i, h := range hits {
			j := slices.Index(corpus, h.Text)
			if j < 0 {
				t.Fatalf("%q: hit %d has unknown text %q", tc.question, i, h.Text)
			}
			if want := float64(knowledge.Cosine(q, vecs[j])); !near(h.Score, want) {
				t.Errorf("%q: hit %q scores %v, want %v", tc.question, h.Text, h.Score, want)
			}
			if i > 0 && h.Score > hits[i-1].Score {
				t.Errorf("%q: hit %d scores %v, above hit %d's %v", tc.question, i, h.Score, i-1, hits[i-1].Score)
			}
			place, seq := p1, j
			if j >= 2 {
				place, seq = p2, j-2
			}
			if h.StoreID != place.StoreID || h.DocumentID != place.DocumentID || h.Seq != seq || h.Filename != place.Filename {
				t.Errorf("%q: hit %+v, want store %d, document %d, seq %d, filename %q", tc.question, h, place.StoreID, place.DocumentID, seq, place.Filename)
			}
		}
	}
}

func embed(ctx context.Context, t *testing.T, e knowledge.Embedder, texts ...string) [][]float32 {
	t.Helper()
	vecs, err := e.Embed(ctx, texts)
	if err != nil {
		t.Fatal(err)
	}
	return vecs
}

// exact are chunks whose cosine similarity to exactQuery is known: 1, 0.6,
// 0.1/sqrt(1.01) and -1/sqrt(1.01). The vectors are not normalized.
var (
	exactQuery = []float32{2, 0, 0, 0}
	exact      = []chunk{
		{"same", []float32{1, 0, 0, 0}},
		{"close", []float32{3, 4, 0, 0}},
		{"far", []float32{0.1, 1, 0, 0}},
		{"opposite", []float32{-1, 0.1, 0, 0}},
	}
	exactScores = []float64{1, 0.6, 0.1 / math.Sqrt(1.01), -1 / math.Sqrt(1.01)}
)

func testExactScores(t *testing.T, f Fixture) {
	p := f.Place(t, "p", "s", "d")
	// Upsert them out of order, so that order is the index's doing.
	reversed := slices.Clone(exact)
	slices.Reverse(reversed)
	upsert(t, f, p, vecA, reversed...)
	hits := search(t, f, all(p, vecA, exactQuery))
	wantTexts(t, "all", hits, "same", "close", "far", "opposite")
	for i, h := range hits {
		if i < len(exactScores) && !near(h.Score, exactScores[i]) {
			t.Errorf("%q scores %v, want %v", h.Text, h.Score, exactScores[i])
		}
		if want := len(exact) - 1 - i; h.Seq != want || h.StoreID != p.StoreID || h.DocumentID != p.DocumentID || h.Filename != p.Filename {
			t.Errorf("hit %+v, want seq %d of %+v", h, want, p)
		}
	}
}

func testTopK(t *testing.T, f Fixture) {
	p := f.Place(t, "p", "s", "d")
	var chunks []chunk
	var want []string
	for i := range 7 {
		text := fmt.Sprintf("chunk %d", i)
		chunks = append(chunks, chunk{text, []float32{1, float32(i) * 0.2, 0, 0}})
		want = append(want, text)
	}
	upsert(t, f, p, vecA, chunks...)
	q := knowledge.Query{ProjectID: p.ProjectID, StoreIDs: []int64{p.StoreID}, Embedder: vecA, Vector: []float32{1, 0, 0, 0}}
	wantTexts(t, "TopK 0", search(t, f, q), want[:knowledge.DefaultTopK]...)
	q.TopK = -3
	wantTexts(t, "TopK -3", search(t, f, q), want[:knowledge.DefaultTopK]...)
	q.TopK = 1
	wantTexts(t, "TopK 1", search(t, f, q), want[:1]...)
	q.TopK = 6
	wantTexts(t, "TopK 6", search(t, f, q), want[:6]...)
	q.TopK = 50
	wantTexts(t, "TopK 50", search(t, f, q), want...)
}

func testMinScore(t *testing.T, f Fixture) {
	p := f.Place(t, "p", "s", "d")
	upsert(t, f, p, vecA, exact...)
	q := knowledge.Query{ProjectID: p.ProjectID, StoreIDs: []int64{p.StoreID}, Embedder: vecA, Vector: exactQuery, TopK: 10}
	for _, tc := range []struct {
		min  float64
		want []string
	}{
		{0, []string{"same", "close", "far"}},
		{-1, []string{"same", "close", "far", "opposite"}},
		{-0.5, []string{"same", "close", "far"}},
		{0.05, []string{"same", "close", "far"}},
		{0.5, []string{"same", "close"}},
		{0.7, []string{"same"}},
		{0.999, []string{"same"}},
		{1.001, nil},
	} {
		q.MinScore = tc.min
		hits := search(t, f, q)
		wantTexts(t, fmt.Sprintf("MinScore %v", tc.min), hits, tc.want...)
		for _, h := range hits {
			if h.Score < tc.min {
				t.Errorf("MinScore %v: %q scores %v", tc.min, h.Text, h.Score)
			}
		}
	}
}

func testTies(t *testing.T, f Fixture) {
	// Equal vectors in two stores and two documents, upserted in an order
	// unlike the expected one.
	places := []Place{
		f.Place(t, "p", "s1", "d1"),
		f.Place(t, "p", "s1", "d2"),
		f.Place(t, "p", "s2", "d3"),
	}
	v := []float32{0, 1, 1, 0}
	for i := len(places) - 1; i >= 0; i-- {
		p := places[i]
		upsert(t, f, p, vecA,
			chunk{fmt.Sprintf("%s/0", p.Filename), v},
			chunk{fmt.Sprintf("%s/1", p.Filename), v})
	}
	type key struct {
		store, doc int64
		seq        int
	}
	var want []key
	for _, p := range places {
		want = append(want, key{p.StoreID, p.DocumentID, 0}, key{p.StoreID, p.DocumentID, 1})
	}
	slices.SortFunc(want, func(a, b key) int {
		return cmp.Or(cmp.Compare(a.store, b.store), cmp.Compare(a.doc, b.doc), cmp.Compare(a.seq, b.seq))
	})
	hits := search(t, f, all(places[0], vecA, v, places[0].StoreID, places[2].StoreID))
	var got []key
	for _, h := range hits {
		got = append(got, key{h.StoreID, h.DocumentID, h.Seq})
		if !near(h.Score, 1) {
			t.Errorf("%q scores %v, want 1", h.Text, h.Score)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("ties ordered %v, want by store, document and seq: %v", got, want)
	}
}

func testProjectIsolation(t *testing.T, f Fixture) {
	mine := f.Place(t, "mine", "s", "d")
	theirs := f.Place(t, "theirs", "s", "d")
	v := []float32{1, 1, 0, 0}
	upsert(t, f, mine, vecA, chunk{"mine", v})
	upsert(t, f, theirs, vecA, chunk{"theirs", v})

	wantTexts(t, "my project, my store", search(t, f, all(mine, vecA, v)), "mine")
	wantTexts(t, "their project, their store", search(t, f, all(theirs, vecA, v)), "theirs")
	// Asking for the other project's store id never yields its chunks:
	// either nothing (the ids differ) or the asking project's own store
	// of that id.
	for _, tc := range []struct {
		asker, owner Place
		other        string
	}{{mine, theirs, "theirs"}, {theirs, mine, "mine"}} {
		q := all(tc.asker, vecA, v, tc.owner.StoreID)
		hits := search(t, f, q)
		for _, h := range hits {
			if h.Text == tc.other {
				t.Errorf("project %d searching store %d found project %d's chunk", tc.asker.ProjectID, tc.owner.StoreID, tc.owner.ProjectID)
			}
		}
		if tc.owner.StoreID != tc.asker.StoreID && len(hits) > 0 {
			t.Errorf("project %d searching another project's store %d: %q, want nothing", tc.asker.ProjectID, tc.owner.StoreID, texts(hits))
		}
	}
}

func testStoreFilter(t *testing.T, f Fixture) {
	p1 := f.Place(t, "p", "s1", "d1")
	p2 := f.Place(t, "p", "s2", "d2")
	p3 := f.Place(t, "p", "s3", "d3")
	v := []float32{1, 0, 1, 0}
	upsert(t, f, p1, vecA, chunk{"one", v})
	upsert(t, f, p2, vecA, chunk{"two", []float32{1, 0, 0.9, 0}})
	upsert(t, f, p3, vecA, chunk{"three", []float32{1, 0, 0.8, 0}})
	wantTexts(t, "s1", search(t, f, all(p1, vecA, v, p1.StoreID)), "one")
	wantTexts(t, "s2", search(t, f, all(p1, vecA, v, p2.StoreID)), "two")
	wantTexts(t, "s1 and s3", search(t, f, all(p1, vecA, v, p3.StoreID, p1.StoreID)), "one", "three")
	wantTexts(t, "all three", search(t, f, all(p1, vecA, v, p1.StoreID, p2.StoreID, p3.StoreID)), "one", "two", "three")
	wantTexts(t, "an unknown store", search(t, f, all(p1, vecA, v, 987_654_321)))
	wantTexts(t, "an unknown store and s2", search(t, f, all(p1, vecA, v, 987_654_321, p2.StoreID)), "two")
}

func testEmbedderFilter(t *testing.T, f Fixture) {
	pa := f.Place(t, "p", "sa", "d1")
	pb := f.Place(t, "p", "sb", "d2")
	v := []float32{0, 0, 1, 1}
	upsert(t, f, pa, vecA, chunk{"a", v})
	upsert(t, f, pb, vecB, chunk{"b", v})
	both := []int64{pa.StoreID, pb.StoreID}
	wantTexts(t, "embedder a", search(t, f, all(pa, vecA, v, both...)), "a")
	wantTexts(t, "embedder b", search(t, f, all(pa, vecB, v, both...)), "b")
	wantTexts(t, "an unknown embedder", search(t, f, all(pa, "indextest-unknown-4", v, both...)))
	wantTexts(t, "embedder a, a 3-dimensional vector", search(t, f, all(pa, vecA, []float32{0, 1, 1}, both...)))
	wantTexts(t, "embedder a, a 5-dimensional vector", search(t, f, all(pa, vecA, []float32{0, 0, 1, 1, 0}, both...)))
}

func testReupsert(t *testing.T, f Fixture) {
	p := f.Place(t, "p", "s", "d")
	other := f.Place(t, "p", "s", "other")
	elsewhere := f.Place(t, "p", "s2", "d") // the same document in another store
	v := []float32{1, 2, 3, 4}
	upsert(t, f, p, vecA, chunk{"old 0", v}, chunk{"old 1", v}, chunk{"old 2", v})
	upsert(t, f, other, vecA, chunk{"other", v})
	upsert(t, f, elsewhere, vecA, chunk{"elsewhere", v})
	q := all(p, vecA, v, p.StoreID, elsewhere.StoreID)
	wantSameTexts(t, "first", search(t, f, q), "old 0", "old 1", "old 2", "other", "elsewhere")

	upsert(t, f, p, vecA, chunk{"new 0", v}, chunk{"new 1", v})
	wantSameTexts(t, "after upserting again", search(t, f, q), "new 0", "new 1", "other", "elsewhere")
	upsert(t, f, p, vecA, chunk{"new 0", v}, chunk{"new 1", v})
	wantSameTexts(t, "after upserting the same again", search(t, f, q), "new 0", "new 1", "other", "elsewhere")

	// Upserting no chunks changes nothing.
	if err := f.Index.Upsert(t.Context(), nil); err != nil {
		t.Errorf("Upsert(nil): %v", err)
	}
	wantSameTexts(t, "after upserting nothing", search(t, f, q), "new 0", "new 1", "other", "elsewhere")
}

func testReupsertOtherEmbedder(t *testing.T, f Fixture) {
	p := f.Place(t, "p", "s", "d")
	v := []float32{1, 0, 0, 1}
	upsert(t, f, p, vecA, chunk{"by a", v}, chunk{"by a too", v})
	upsert(t, f, p, vecB, chunk{"by b", v})
	wantTexts(t, "embedder a", search(t, f, all(p, vecA, v)))
	wantTexts(t, "embedder b", search(t, f, all(p, vecB, v)), "by b")
}

func testUpsertInvalid(t *testing.T, f Fixture) {
	p1 := f.Place(t, "p", "s", "d1")
	p2 := f.Place(t, "p", "s", "d2")
	v := []float32{1, 1, 1, 1}
	mixedDocs := append(indexed(p1, vecA, chunk{"one", v}), indexed(p2, vecA, chunk{"two", v})...)
	mixedDocs[1].Seq = 1
	if err := f.Index.Upsert(t.Context(), mixedDocs); err == nil {
		t.Error("Upsert of chunks of two documents succeeded, want an error")
	}
	mixedEmbedders := append(indexed(p1, vecA, chunk{"one", v}), indexed(p1, vecB, chunk{"two", v})...)
	mixedEmbedders[1].Seq = 1
	if err := f.Index.Upsert(t.Context(), mixedEmbedders); err == nil {
		t.Error("Upsert of chunks of two embedders succeeded, want an error")
	}
	wantTexts(t, "after failed upserts", search(t, f, all(p1, vecA, v)))
}

func testDeleteDocument(t *testing.T, f Fixture) {
	gone := f.Place(t, "p", "s", "gone")
	kept := f.Place(t, "p", "s", "kept")
	elsewhere := f.Place(t, "p", "s2", "gone") // the same document in another store
	v := []float32{1, 0, 0, 0}
	upsert(t, f, gone, vecA, chunk{"gone 0", v}, chunk{"gone 1", v})
	upsert(t, f, gone, vecB, chunk{"gone by b", v}) // replaced, in another embedder's space
	upsert(t, f, gone, vecA, chunk{"gone 0", v}, chunk{"gone 1", v})
	upsert(t, f, kept, vecA, chunk{"kept", v})
	upsert(t, f, elsewhere, vecA, chunk{"elsewhere", v})

	if f.RemoveDocument != nil {
		f.RemoveDocument(t, gone)
	}
	if err := f.Index.DeleteDocument(t.Context(), gone.ProjectID, gone.StoreID, gone.DocumentID); err != nil {
		t.Fatalf("DeleteDocument: %v", err)
	}
	q := all(gone, vecA, v, gone.StoreID, elsewhere.StoreID)
	wantSameTexts(t, "after DeleteDocument", search(t, f, q), "kept", "elsewhere")
	wantTexts(t, "embedder b after DeleteDocument", search(t, f, all(gone, vecB, v)))

	// Deleting again, or what was never indexed, is no error.
	if err := f.Index.DeleteDocument(t.Context(), gone.ProjectID, gone.StoreID, gone.DocumentID); err != nil {
		t.Errorf("DeleteDocument again: %v", err)
	}
	if err := f.Index.DeleteDocument(t.Context(), gone.ProjectID, gone.StoreID, 987_654_321); err != nil {
		t.Errorf("DeleteDocument of an unknown document: %v", err)
	}
	wantSameTexts(t, "after deleting again", search(t, f, q), "kept", "elsewhere")
}

func testDeleteDocumentKeepingRecords(t *testing.T, f Fixture) {
	// The index forgets a document's chunks even while the document is
	// still in the store (as when it is indexed again and fails).
	p := f.Place(t, "p", "s", "d")
	kept := f.Place(t, "p", "s", "kept")
	v := []float32{0, 1, 0, 0}
	upsert(t, f, p, vecA, chunk{"d", v})
	upsert(t, f, kept, vecA, chunk{"kept", v})
	if err := f.Index.DeleteDocument(t.Context(), p.ProjectID, p.StoreID, p.DocumentID); err != nil {
		t.Fatalf("DeleteDocument: %v", err)
	}
	wantTexts(t, "after DeleteDocument", search(t, f, all(p, vecA, v)), "kept")
	// And it can be indexed again.
	upsert(t, f, p, vecA, chunk{"d again", v})
	wantSameTexts(t, "after indexing again", search(t, f, all(p, vecA, v)), "d again", "kept")
}

func testDeleteStore(t *testing.T, f Fixture) {
	gone1 := f.Place(t, "p", "gone", "d1")
	gone2 := f.Place(t, "p", "gone", "d2")
	kept := f.Place(t, "p", "kept", "d1")
	theirs := f.Place(t, "other", "gone", "d1") // another project's store of the same name
	v := []float32{0, 0, 0, 1}
	upsert(t, f, gone1, vecA, chunk{"gone 1", v})
	upsert(t, f, gone2, vecA, chunk{"gone 2", v})
	upsert(t, f, kept, vecA, chunk{"kept", v})
	upsert(t, f, theirs, vecA, chunk{"theirs", v})

	if f.RemoveStore != nil {
		f.RemoveStore(t, gone1)
	}
	if err := f.Index.DeleteStore(t.Context(), gone1.ProjectID, gone1.StoreID); err != nil {
		t.Fatalf("DeleteStore: %v", err)
	}
	wantTexts(t, "after DeleteStore", search(t, f, all(gone1, vecA, v, gone1.StoreID, kept.StoreID)), "kept")
	wantTexts(t, "the other project's store", search(t, f, all(theirs, vecA, v)), "theirs")

	if err := f.Index.DeleteStore(t.Context(), gone1.ProjectID, gone1.StoreID); err != nil {
		t.Errorf("DeleteStore again: %v", err)
	}
	if err := f.Index.DeleteStore(t.Context(), gone1.ProjectID, 987_654_321); err != nil {
		t.Errorf("DeleteStore of an unknown store: %v", err)
	}
	wantTexts(t, "kept after deleting again", search(t, f, all(kept, vecA, v)), "kept")
}

func testEmpty(t *testing.T, f Fixture) {
	p := f.Place(t, "p", "s", "d")
	v := []float32{1, 1, 0, 0}
	// Nothing indexed at all yet, not even the embedder's collection.
	wantTexts(t, "nothing indexed", search(t, f, all(p, vecA, v)))
	upsert(t, f, p, vecA, chunk{strings.Repeat("text ", 3), v})
	for _, q := range []knowledge.Query{
		{ProjectID: p.ProjectID, StoreIDs: nil, Embedder: vecA, Vector: v, MinScore: -1},
		{ProjectID: p.ProjectID, StoreIDs: []int64{}, Embedder: vecA, Vector: v, MinScore: -1},
		{ProjectID: p.ProjectID, StoreIDs: []int64{987_654_321}, Embedder: vecA, Vector: v, MinScore: -1},
		{ProjectID: 987_654_321, StoreIDs: []int64{p.StoreID}, Embedder: vecA, Vector: v, MinScore: -1},
		{ProjectID: p.ProjectID, StoreIDs: []int64{p.StoreID}, Embedder: vecA, Vector: nil, MinScore: -1},
	} {
		wantTexts(t, fmt.Sprintf("%+v", q), search(t, f, q))
	}
}
