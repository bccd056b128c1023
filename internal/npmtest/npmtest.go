// Package npmtest runs Node projects from Go tests: the reference clients
// (the openai SDK, standardwebhooks, eventsource) that hold Parley's APIs to
// what real clients do.
package npmtest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Node is the node binary for a test that runs a script with no
// packages; it skips the test under -short or when node is not on PATH,
// as Project does.
func Node(t *testing.T, what string) string {
	t.Helper()
	if testing.Short() {
		t.Skipf("runs %s with Node; skipped with -short", what)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skipf("node is not on PATH: install Node.js 18 or newer (apt-get install nodejs) to run %s", what)
	}
	return node
}

// Project readies the Node project in dir (relative to the test's package)
// for the test: it skips the test under -short or when node or npm is not
// on PATH (saying how to install them), runs `npm ci` when node_modules is
// older than the lockfile, and returns the project's absolute path and the
// node binary.
func Project(t *testing.T, dir, what string) (abs, node string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("runs %s with Node; skipped with -short", what)
	}
	node, nodeErr := exec.LookPath("node")
	npm, npmErr := exec.LookPath("npm")
	if nodeErr != nil || npmErr != nil {
		t.Skipf("node and npm are not on PATH: install Node.js 18 or newer with npm (apt-get install nodejs npm) to run %s", what)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	if stale(filepath.Join(abs, "node_modules", ".package-lock.json"), filepath.Join(abs, "package-lock.json")) {
		ci := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
		ci.Dir = abs
		if out, err := ci.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in %s: %v\n%s", abs, err, out)
		}
	}
	return abs, node
}

// stale reports whether the installed tree is missing or older than the
// lockfile.
func stale(installed, lock string) bool {
	i, err := os.Stat(installed)
	if err != nil {
		return true
	}
	l, err := os.Stat(lock)
	return err != nil || i.ModTime().Before(l.ModTime())
}
