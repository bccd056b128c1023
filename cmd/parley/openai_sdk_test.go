//go:build !slim

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// sdkProject is the Node project that drives the vector store API with
// the official openai package.
const sdkProject = "../../server/worken/testdata/openai-npm"

// TestOpenAISDKVectorStores runs the openai npm package against `parley
// dev`: upload, vector stores and their files, polling, pagination,
// errors (server/worken/testdata/openai-npm/vector_stores.mjs).
func TestOpenAISDKVectorStores(t *testing.T) {
	if testing.Short() {
		t.Skip("starts parley dev and Node; skipped with -short")
	}
	node, nodeErr := exec.LookPath("node")
	npm, npmErr := exec.LookPath("npm")
	if nodeErr != nil || npmErr != nil {
		t.Skip("node and npm are not on PATH: install Node.js 18 or newer with npm (apt-get install nodejs npm) to run the openai SDK test")
	}
	dir, err := filepath.Abs(sdkProject)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	if version, err := exec.CommandContext(ctx, node, "--version").Output(); err == nil {
		t.Logf("node %s", version)
	}
	if stale(filepath.Join(dir, "node_modules", ".package-lock.json"), filepath.Join(dir, "package-lock.json")) {
		ci := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
		ci.Dir = dir
		if out, err := ci.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
		}
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
// file in node_modules) are missing or older than the lock file.
func stale(installed, lock string) bool {
	i, err := os.Stat(installed)
	if err != nil {
		return true
	}
	l, err := os.Stat(lock)
	return err != nil || i.ModTime().Before(l.ModTime())
}
