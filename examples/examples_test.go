package examples

import (
	"os"
	"path/filepath"
	"testing"
)

// TestBots: every example bot file on disk is a template, byte for byte,
// and conversation tests are not.
func TestBots(t *testing.T) {
	files, _ := filepath.Glob("bots/*.yaml")
	want := map[string]string{}
	for _, f := range files {
		if filepath.Ext(filepath.Base(f[:len(f)-len(".yaml")])) == ".test" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want[filepath.Base(f[:len(f)-len(".yaml")])] = string(src)
	}
	got := Bots()
	if len(got) != len(want) || len(got) < 3 {
		t.Fatalf("%d templates, want the %d example bots", len(got), len(want))
	}
	for _, b := range got {
		if want[b.Slug] != b.Source {
			t.Errorf("template %s differs from examples/bots/%s.yaml", b.Slug, b.Slug)
		}
	}
}
