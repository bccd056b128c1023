package indextest

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/parleyhq/parley/knowledge"
)

// memIndex is a reference Index in memory, to check the suite itself and
// Places (whose stores of different projects share ids).
type memIndex struct {
	mu   sync.Mutex
	docs map[[3]int64][]knowledge.IndexedChunk // by project, store, document
}

func (m *memIndex) Upsert(ctx context.Context, chunks []knowledge.IndexedChunk) error {
	if len(chunks) == 0 {
		return nil
	}
	c0 := chunks[0]
	for _, c := range chunks {
		if c.ProjectID != c0.ProjectID || c.StoreID != c0.StoreID || c.DocumentID != c0.DocumentID || c.Embedder != c0.Embedder {
			return errors.New("mixed chunks")
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.docs[[3]int64{c0.ProjectID, c0.StoreID, c0.DocumentID}] = slices.Clone(chunks)
	return nil
}

func (m *memIndex) DeleteDocument(ctx context.Context, projectID, storeID, documentID int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.docs, [3]int64{projectID, storeID, documentID})
	return nil
}

func (m *memIndex) DeleteStore(ctx context.Context, projectID, storeID int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k := range m.docs {
		if k[0] == projectID && k[1] == storeID {
			delete(m.docs, k)
		}
	}
	return nil
}

func (m *memIndex) Search(ctx context.Context, q knowledge.Query) ([]knowledge.Hit, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	hits := []knowledge.Hit{}
	for k, chunks := range m.docs {
		if k[0] != q.ProjectID || !slices.Contains(q.StoreIDs, k[1]) {
			continue
		}
		for _, c := range chunks {
			if c.Embedder != q.Embedder || len(c.Vector) != len(q.Vector) || len(q.Vector) == 0 {
				continue
			}
			s := float64(knowledge.Cosine(q.Vector, c.Vector))
			if s >= q.MinScore {
				hits = append(hits, knowledge.Hit{StoreID: c.StoreID, DocumentID: c.DocumentID, Seq: c.Seq, Text: c.Text, Filename: c.Filename, Score: s})
			}
		}
	}
	slices.SortFunc(hits, func(a, b knowledge.Hit) int {
		switch {
		case a.Score != b.Score:
			if a.Score > b.Score {
				return -1
			}
			return 1
		case a.StoreID != b.StoreID:
			return int(a.StoreID - b.StoreID)
		case a.DocumentID != b.DocumentID:
			return int(a.DocumentID - b.DocumentID)
		}
		return a.Seq - b.Seq
	})
	k := q.TopK
	if k <= 0 {
		k = knowledge.DefaultTopK
	}
	return hits[:min(k, len(hits))], nil
}

func TestMemIndex(t *testing.T) {
	Run(t, func(t *testing.T) Fixture {
		return Fixture{Index: &memIndex{docs: map[[3]int64][]knowledge.IndexedChunk{}}, Place: Places()}
	})
}

func TestPlaces(t *testing.T) {
	place := Places()
	a := place(t, "p1", "s", "d")
	if b := place(t, "p1", "s", "d"); b != a {
		t.Errorf("same names, different places: %+v and %+v", a, b)
	}
	b := place(t, "p2", "s", "d")
	if b.ProjectID == a.ProjectID || b.StoreID != a.StoreID {
		t.Errorf("p1/s %+v and p2/s %+v: want other projects, the same store id", a, b)
	}
	c := place(t, "p1", "s2", "d")
	if c.DocumentID != a.DocumentID || c.StoreID == a.StoreID {
		t.Errorf("p1/s/d %+v and p1/s2/d %+v: want one document in two stores", a, c)
	}
}
