package nodes

import (
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzLoad feeds arbitrary bytes to the loader. It must never panic, and
// every problem must carry the file name, a position inside the file and a
// code; loading is deterministic.
func FuzzLoad(f *testing.F) {
	for _, path := range exampleBots(f) {
		src, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte("bot: x\nnodes:\n  a: { kind: set, assign: { v: \"v +\" }, next: a }\nvariables: { v: { type: integer } }\n"))
	f.Add([]byte("a: &a [*a, *a]\nbot: *a\n"))
	f.Add([]byte("bot: x\nnodes:\n  a:\n    kind: message\n    text: |\n      {{ 1 +\n      }}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		flow, problems := Load("fuzz.yaml", src)
		if flow == nil {
			t.Fatal("Load returned no flow")
		}
		maxLine := countLines(src)
		for _, p := range problems {
			if p.File != "fuzz.yaml" || p.Code == "" || p.Message == "" {
				t.Errorf("incomplete problem %+v", p)
			}
			if p.Line < 1 || p.Column < 1 || p.Line > maxLine+1 {
				t.Errorf("problem outside the file (%d lines): %v", maxLine, p)
			}
			if !utf8.ValidString(p.Message) && utf8.Valid(src) {
				t.Errorf("message is not valid UTF-8: %q", p.Message)
			}
		}
		if !problems.HasErrors() && len(flow.Nodes) > 0 && flow.Node(flow.Start) == nil {
			t.Errorf("a valid flow starts at %q, which is not a node", flow.Start)
		}
		_, again := Load("fuzz.yaml", src)
		if !slices.Equal(problems, again) {
			t.Errorf("loading twice gave different problems:\n%v\n%v", problems, again)
		}
	})
}

// countLines counts lines as YAML does: CR LF, CR, LF, NEL, LS and PS
// each end a line.
func countLines(src []byte) int {
	s := strings.ReplaceAll(string(src), "\r\n", "\n")
	n := 1
	for _, r := range s {
		switch r {
		case '\n', '\r', '\u0085', '\u2028', '\u2029':
			n++
		}
	}
	return n
}
