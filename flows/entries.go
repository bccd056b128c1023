package flows

import (
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/parleyhq/parley/internal/yamljson"
)

// Entries reads the entries of a bot file's `nodes` as written (see
// Entry), for an editor: Load does not keep them, so flows loaded to run
// carry none. It returns nil for a file that is not YAML or has no
// `nodes` mapping; Load reports why.
func Entries(src []byte) (entries []*Entry) {
	defer func() {
		if recover() != nil { // yaml.v3 may panic on some malformed input
			entries = nil
		}
	}()
	var doc yaml.Node
	if yaml.Unmarshal(src, &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	root := resolve(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		return nil
	}
	key, nodes := mappingEntry(root, "nodes")
	if nodes == nil || nodes.Kind != yaml.MappingNode {
		return nil
	}
	lines := splitLines(string(src))
	end := len(lines)
	for i := 0; i+1 < len(root.Content); i += 2 { // the next top-level key ends the last node
		if l := root.Content[i].Line; l > key.Line && l-1 < end {
			end = l - 1
		}
	}
	for i := 0; i+1 < len(nodes.Content); i += 2 {
		k, value := nodes.Content[i], resolve(nodes.Content[i+1])
		last := end
		if i+2 < len(nodes.Content) {
			last = nodes.Content[i+2].Line - 1
		}
		e := &Entry{ID: k.Value, Pos: posOf(k), FirstLine: k.Line, LastLine: trimTail(lines, k.Line, last)}
		if value.Kind == yaml.MappingNode {
			var fields any
			if err := value.Decode(&fields); err == nil {
				e.Fields, _ = yamljson.Plain(fields).(map[string]any)
			}
			if kind := mappingValue(value, "kind"); kind != nil && kind.Kind == yaml.ScalarNode && !isNull(kind) {
				e.Kind = kind.Value
			}
			e.UI = uiPos(e.Fields)
		}
		entries = append(entries, e)
	}
	return entries
}

// trimTail moves last back over blank lines and comment lines, not past
// first.
func trimTail(lines []string, first, last int) int {
	last = max(first, min(last, len(lines)))
	for last > first {
		line := strings.TrimSpace(lines[last-1])
		if line != "" && !strings.HasPrefix(line, "#") {
			break
		}
		last--
	}
	return last
}

// uiPos reads ui.x and ui.y from an entry's fields.
func uiPos(fields map[string]any) *UIPos {
	ui, _ := fields["ui"].(map[string]any)
	x, okX := number(ui["x"])
	y, okY := number(ui["y"])
	if !okX || !okY {
		return nil
	}
	return &UIPos{X: x, Y: y}
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}
