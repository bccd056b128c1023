package main

import (
	"context"
	"fmt"
	"io"
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

// loadKnowledgeDir makes each folder of dir a vector store of the project
// (named after the folder) and adds the folder's files that the store does
// not have yet, by file name; indexing runs in the background. It returns
// a line per store for the welcome message.
func loadKnowledgeDir(ctx context.Context, lib *knowledge.Library, projectID int64, dir string, w io.Writer) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil // no example knowledge: nothing to load
	}
	var lines []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		vs, added, err := loadStoreDir(ctx, lib, projectID, e.Name(), filepath.Join(dir, e.Name()))
		if err != nil {
			fmt.Fprintf(w, "skipping knowledge %s: %v\n", e.Name(), err)
			continue
		}
		lines = append(lines, fmt.Sprintf("%s (%s, %d new files)", vs.Name, vs.UUID, added))
	}
	return lines
}

func loadStoreDir(ctx context.Context, lib *knowledge.Library, projectID int64, name, dir string) (*store.VectorStore, int, error) {
	vs, err := lib.StoreNamed(ctx, projectID, name)
	if err != nil {
		return nil, 0, err
	}
	have := map[string]bool{}
	files, err := lib.Store.VectorStoreFiles(ctx, projectID, vs.UUID)
	if err != nil {
		return nil, 0, err
	}
	for _, f := range files {
		have[f.Filename] = true
	}
	paths, _ := filepath.Glob(filepath.Join(dir, "*"))
	added := 0
	for _, path := range paths {
		if info, err := os.Stat(path); err != nil || info.IsDir() || have[filepath.Base(path)] {
			continue
		}
		if _, err := lib.AddLocalFile(ctx, vs, path); err != nil {
			return nil, added, fmt.Errorf("adding %s: %w", path, err)
		}
		added++
	}
	return vs, added, nil
}
