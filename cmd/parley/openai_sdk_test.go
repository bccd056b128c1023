//go:build !slim

package main

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/parleyhq/parley/internal/npmtest"
)

// sdkProject is the Node project that drives the vector store API with
// the official openai package.
const sdkProject = "../../server/worken/testdata/openai-npm"

// TestOpenAISDKVectorStores runs the openai npm package against `parley
// dev`: upload, vector stores and their files, polling, pagination,
// errors (server/worken/testdata/openai-npm/vector_stores.mjs).
func TestOpenAISDKVectorStores(t *testing.T) {
	dir, node := npmtest.Project(t, sdkProject, "the openai SDK test")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	if version, err := exec.CommandContext(ctx, node, "--version").Output(); err == nil {
		t.Logf("node %s", version)
	}
	dev := startDev(t, t.TempDir(), t.TempDir(), freeAddr(t))
	script := exec.CommandContext(ctx, node, "vector_stores.mjs")
	script.Dir = dir
	script.Env = append(os.Environ(), "PARLEY_URL="+dev.url, "PARLEY_API_KEY="+crashKey)
	out, err := script.CombinedOutput()
	t.Logf("node vector_stores.mjs:\n%s", out)
	if err != nil {
		t.Fatalf("the openai SDK script failed: %v\nparley dev's log:\n%s", err, dev.logs)
	}
}

// stale reports whether the installed packages (npm's copy of the lock
