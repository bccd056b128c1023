package nodes

import (
	"os"
	"path/filepath"
	"testing"
)

// TestExamplesAreValid loads every example bot: no errors and no warnings.
func TestExamplesAreValid(t *testing.T) {
	paths, _ := filepath.Glob("../examples/bots/*.yaml")
	for _, path := range paths {
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
