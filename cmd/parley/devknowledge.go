//go:build !slim

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/parleyhq/parley/knowledge"
	"github.com/parleyhq/parley/store"
)

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
