package nodes

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// exampleBots lists the example bot files (not their conversation tests).
func exampleBots(tb testing.TB) []string {
	tb.Helper()
	paths, err := filepath.Glob("../examples/bots/*.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	var bots []string
	for _, p := range paths {
		if !strings.HasSuffix(p, ".test.yaml") {
			bots = append(bots, p)
		}
	}
	return bots
}

// TestExamplesAreValid loads every example bot: no errors and no warnings.
func TestExamplesAreValid(t *testing.T) {
	for _, path := range exampleBots(t) {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		flow, problems := Load(path, src)
		for _, p := range problems {
			t.Errorf("%s", p)
		}
		if flow.Bot == "" || flow.Node(flow.Start) == nil {
			t.Errorf("%s: bot %q starts at %q, which is not a node", path, flow.Bot, flow.Start)
		}
	}
}
