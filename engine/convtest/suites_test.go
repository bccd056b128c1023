package convtest

import (
	"path/filepath"
	"testing"
)

// TestSuites runs every conversation test of the example bots and of the
// engine's own test bots.
func TestSuites(t *testing.T) {
	var paths []string
	for _, pattern := range []string{"../../examples/bots/*.test.yaml", "testdata/*.test.yaml"} {
		found, _ := filepath.Glob(pattern)
		paths = append(paths, found...)
	}
	if len(paths) < 3 {
		t.Fatalf("found %d suites, want the examples' at least", len(paths))
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			s, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Run(t.Context(), s)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range res.Failures {
				t.Errorf("%s:%s", path, f)
			}
			if res.Passed+len(res.Failures) == 0 {
				t.Errorf("%s ran no test", path)
			}
		})
	}
}
