package flows

import (
	"strings"
	"testing"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// TestScalarLocator checks that a rune offset in a scalar's value maps to the
// file position where that rune is written, for every scalar style. Each
// case marks the rune with @, which appears once in the source.
func TestScalarLocator(t *testing.T) {
	tests := []struct {
		name string
		src  string
	}{
		{"plain", "v: abc @ def"},
		{"plain multi-line", "v: abc\n  def @x"},
		{"single-quoted", "v: 'it''s @'"},
		{"double-quoted with escapes", `v: "a\tb\u00e9\"q @"`},
		{"double-quoted multi-line", "v: \"abc\n  def @\""},
		{"double-quoted line continuation", "v: \"abc\\\n  def @\""},
		{"literal block", "v: |\n  line1\n  li @ne2\n"},
		{"literal block more indented", "v: |\n  a\n    b @\n"},
		{"folded block", "v: >\n  line1\n  more @\n"},
		{"non-ASCII before", "v: \"héllo wörld @\""},
		{"flow mapping", "m: { v: \"x @\" }"},
		{"nested", "a:\n  b:\n    v: \"deep {{ @ }}\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(tt.src), &doc); err != nil {
				t.Fatal(err)
			}
			n := findScalar(&doc, "v")
			if n == nil {
				t.Fatalf("no scalar v in %q", tt.src)
			}
			offset := utf8.RuneCountInString(n.Value[:strings.IndexByte(n.Value, '@')])
			lines := strings.Split(tt.src, "\n")
			got := newScalarLocator(lines, n).Pos(offset)
			if want := markerPos(tt.src); got != want {
				t.Errorf("value %q: got %+v, want %+v", n.Value, got, want)
			}
		})
	}
}

func findScalar(n *yaml.Node, key string) *yaml.Node {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key && n.Content[i+1].Kind == yaml.ScalarNode {
				return n.Content[i+1]
			}
		}
	}
	for _, c := range n.Content {
		if found := findScalar(c, key); found != nil {
			return found
		}
	}
	return nil
}

func markerPos(src string) Pos {
	for i, line := range strings.Split(src, "\n") {
		if j := strings.IndexByte(line, '@'); j >= 0 {
			return Pos{Line: i + 1, Column: utf8.RuneCountInString(line[:j]) + 1}
		}
	}
	return Pos{}
}
