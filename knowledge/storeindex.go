package knowledge

import (
	"cmp"
	"context"
	"slices"

	"github.com/parleyhq/parley/store"
)

// StoreIndex is the embedded Index: chunks and their vectors live in the
// app database (store.KnowledgeStore) and Search compares the query with
// every chunk of the asked stores by exact cosine similarity. It needs no
// other service and its answers are exact; its cost is linear in the
// number of chunks of the searched stores, each of whose vectors is read
// and decoded from the database on every search (see
// BenchmarkStoreIndexSearch), which suits knowledge bases of thousands of
// chunks, not millions.
//
// The records come first: a chunk can only be kept for a document that is
// in the vector store (store.AddVectorStoreFile), and the store's records
// own the chunks, so deleting a store or removing a document from it
// deletes its chunks too. A StoreIndex is safe for concurrent use.
type StoreIndex struct {
	s store.Store
}

var _ Index = (*StoreIndex)(nil)

// NewStoreIndex returns the index kept in s.
func NewStoreIndex(s store.Store) *StoreIndex { return &StoreIndex{s: s} }

// Upsert replaces the chunks of the chunks' (store, document) in one
// transaction (store.ReplaceChunks). Upserting no chunks does nothing (use
// DeleteDocument to clear a document). The chunks' Filename is not kept:
// hits carry the document's name from its record. ENOTFOUND if the
// document is not in the store.
func (x *StoreIndex) Upsert(ctx context.Context, chunks []IndexedChunk) error {
	if len(chunks) == 0 {
		return nil
	}
	if err := checkSameDocument(chunks); err != nil {
		return err
	}
	rows := make([]store.Chunk, len(chunks))
	for i, c := range chunks {
		rows[i] = store.Chunk{
			StoreID:    c.StoreID,
			DocumentID: c.DocumentID,
			Seq:        c.Seq,
			Text:       c.Text,
			Embedder:   c.Embedder,
			Vector:     c.Vector,
		}
	}
	return x.s.ReplaceChunks(ctx, chunks[0].StoreID, chunks[0].DocumentID, rows)
}

// DeleteDocument removes a document's chunks from a store. A document that
// is no longer in the store has no chunks left (removing it from the store
// deleted them), so ENOTFOUND counts as done.
func (x *StoreIndex) DeleteDocument(ctx context.Context, projectID, storeID, documentID int64) error {
	err := x.s.ReplaceChunks(ctx, storeID, documentID, nil)
	if store.ErrorCode(err) == store.ENOTFOUND {
		return nil
	}
	return err
}

// DeleteStore does nothing and never fails: a store's chunks are rows of
// its records, deleted with them by store.DeleteVectorStore in the same
// transaction, and they cannot be deleted while the store lives without
// removing its files (ReplaceChunks works per document). It is here for
// indexes kept outside the database, such as QdrantIndex, and is safe to
// call before, after or without deleting the store.
func (x *StoreIndex) DeleteStore(ctx context.Context, projectID, storeID int64) error {
	return nil
}

// Search reads every chunk of the query's stores in its project, keeps
// those of the query's embedder whose vectors have the query's length,
// and returns the TopK scoring at least MinScore by exact cosine
// similarity, best first; equal scores are ordered by store, document and
// Seq. It returns an empty, non-nil slice when nothing matches.
func (x *StoreIndex) Search(ctx context.Context, q Query) ([]Hit, error) {
	hits := []Hit{}
	if len(q.StoreIDs) == 0 || len(q.Vector) == 0 {
		return hits, nil
	}
	chunks, err := x.s.Chunks(ctx, q.ProjectID, q.StoreIDs)
	if err != nil {
		return nil, err
	}
	// Score every chunk, then sort only (score, index) pairs.
	type scored struct {
		score float64
		i     int
	}
	var found []scored
	for i, c := range chunks {
		if c.Embedder != q.Embedder || len(c.Vector) != len(q.Vector) {
			continue
		}
		if score := float64(Cosine(q.Vector, c.Vector)); score >= q.MinScore {
			found = append(found, scored{score, i})
		}
	}
	slices.SortFunc(found, func(a, b scored) int {
		ca, cb := &chunks[a.i], &chunks[b.i]
		return cmp.Or(
			cmp.Compare(b.score, a.score),
			cmp.Compare(ca.StoreID, cb.StoreID),
			cmp.Compare(ca.DocumentID, cb.DocumentID),
			cmp.Compare(ca.Seq, cb.Seq),
		)
	})
	for _, f := range found[:min(len(found), topK(q.TopK))] {
		c := &chunks[f.i]
		hits = append(hits, Hit{
			StoreID:    c.StoreID,
			DocumentID: c.DocumentID,
			Seq:        c.Seq,
			Text:       c.Text,
			Filename:   c.Filename,
			Score:      f.score,
		})
	}
	return hits, nil
}

// topK is the number of hits a query asks for: k, or DefaultTopK when k is
// not positive.
func topK(k int) int {
	if k <= 0 {
		return DefaultTopK
	}
	return k
}

// sortHits orders hits best first; equal scores by store, document and
// Seq, so that results are deterministic.
func sortHits(hits []Hit) {
	slices.SortFunc(hits, func(a, b Hit) int {
		return cmp.Or(
			cmp.Compare(b.Score, a.Score),
			cmp.Compare(a.StoreID, b.StoreID),
			cmp.Compare(a.DocumentID, b.DocumentID),
			cmp.Compare(a.Seq, b.Seq),
		)
	})
}

// checkSameDocument reports an EINVALID error unless every chunk has the
// first one's project, store, document and embedder, as Upsert requires.
func checkSameDocument(chunks []IndexedChunk) error {
	first := chunks[0]
	for _, c := range chunks[1:] {
		if c.ProjectID != first.ProjectID || c.StoreID != first.StoreID || c.DocumentID != first.DocumentID {
			return store.Errorf(store.EINVALID, "chunks of one upsert must be of one document: got (project %d, store %d, document %d) and (project %d, store %d, document %d)",
				first.ProjectID, first.StoreID, first.DocumentID, c.ProjectID, c.StoreID, c.DocumentID)
		}
		if c.Embedder != first.Embedder {
			return store.Errorf(store.EINVALID, "chunks of one upsert must be of one embedder: got %q and %q", first.Embedder, c.Embedder)
		}
	}
	for _, c := range chunks {
		if len(c.Vector) != len(first.Vector) || len(c.Vector) == 0 {
			return store.Errorf(store.EINVALID, "chunk %d has a vector of %d dimensions, want %d (non-zero)", c.Seq, len(c.Vector), len(first.Vector))
		}
	}
	return nil
}
