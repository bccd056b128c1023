package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"go.temporal.io/sdk/client"

	"github.com/parleyhq/parley/blobs"
	"github.com/parleyhq/parley/knowledge"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/worker"
)

// filesDir is where uploads are kept under the data directory; the HTTP
// API writes there and indexing reads, so serve and worker share it.
func filesDir(dataDir string) blobs.Dir { return blobs.Dir(filepath.Join(dataDir, "files")) }

// newLibrary builds the knowledge library the HTTP API and the worker
// share: chunks in the app database, or in Qdrant when PARLEY_QDRANT_URL
// is set; embeddings from the LLM provider's model (PARLEY_EMBEDDING_MODEL),
// or the offline hash embedder when there is no provider; indexing in a
// Temporal workflow. Call done when finished with it.
func newLibrary(ctx context.Context, db store.Store, tc client.Client, dataDir string) (lib *knowledge.Library, done func(), err error) {
	model, err := llm.FromEnv()
	if err != nil {
		return nil, nil, err
	}
	var index knowledge.Index = knowledge.NewStoreIndex(db)
	done = func() {}
	if url := os.Getenv("PARLEY_QDRANT_URL"); url != "" {
		q, err := knowledge.NewQdrantIndex(ctx, url)
		if err != nil {
			return nil, nil, fmt.Errorf("connecting to Qdrant (PARLEY_QDRANT_URL): %w", err)
		}
		index, done = q, func() { _ = q.Close() }
	}
	lib = &knowledge.Library{Store: db, Index: index, Embedder: knowledge.EmbedderFromEnv(model),
		Blobs: filesDir(dataDir), Start: worker.IndexStarter(tc)}
	return lib, done, nil
}
