package knowledge_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley/knowledge"
	"github.com/parleyhq/parley/knowledge/indextest"
)

// qdrantRun keeps the collection prefixes of concurrent test runs apart.
var qdrantRun = fmt.Sprintf("parleytest%d", time.Now().UnixNano())

var qdrantSeq atomic.Int64

// openQdrant connects to the Qdrant of PARLEY_TEST_QDRANT_URL with a
// collection prefix of its own, whose collections are dropped when t ends.
func openQdrant(t *testing.T) (*knowledge.QdrantIndex, string) {
	t.Helper()
	raw := os.Getenv("PARLEY_TEST_QDRANT_URL")
	if raw == "" {
		t.Skip("PARLEY_TEST_QDRANT_URL is not set: set it to a Qdrant gRPC URL (e.g. http://localhost:6334) to test QdrantIndex")
	}
	sep := "?"
	if strings.Contains(raw, "?") {
		sep = "&"
	}
	prefix := fmt.Sprintf("%s_%d_", qdrantRun, qdrantSeq.Add(1))
	x, err := knowledge.NewQdrantIndex(t.Context(), raw+sep+"prefix="+url.QueryEscape(prefix))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := knowledge.DropQdrantCollections(ctx, x); err != nil {
			t.Errorf("dropping the test's collections: %v", err)
		}
		x.Close()
	})
	return x, prefix
}

func TestQdrantIndexContract(t *testing.T) {
	indextest.Run(t, func(t *testing.T) indextest.Fixture {
		x, _ := openQdrant(t)
		return indextest.Fixture{Index: x, Place: indextest.Places()}
	})
}

// TestQdrantIndexCollections: one collection per embedder and length,
// named after them.
func TestQdrantIndexCollections(t *testing.T) {
	x, prefix := openQdrant(t)
	ctx := t.Context()
	vec := []float32{1, 2, 3, 4, 5, 6, 7, 8}
	for i, name := range []string{knowledge.NewHashEmbedder(8).Name(), "model:text-embedding-3-small"} {
		err := x.Upsert(ctx, []knowledge.IndexedChunk{{ProjectID: 1, StoreID: 1, DocumentID: int64(i + 1), Text: "x", Embedder: name, Vector: vec}})
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := knowledge.QdrantCollections(ctx, x)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	want := []string{prefix + "hash-v1-8", prefix + "model_text-embedding-3-small-8"}
	if !slices.Equal(got, want) {
		t.Errorf("collections %q, want %q", got, want)
	}
}
