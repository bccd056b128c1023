package flows

import (
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/parleyhq/parley/internal/yamljson"
)

// recordEntries records every entry of `nodes` as written (see Entry); the last
// one ends by line end at the latest.
func (c *Checker) recordEntries(nodes []pair, end int) []*Entry {
	out := make([]*Entry, 0, len(nodes))
	for i, p := range nodes {
		last := end
		if i+1 < len(nodes) {
			last = nodes[i+1].key.Line - 1
		}
		e := &Entry{ID: p.key.Value, Pos: posOf(p.key), FirstLine: p.key.Line, LastLine: c.trimTail(p.key.Line, last)}
		if value := resolve(p.value); value.Kind == yaml.MappingNode {
			var fields any
			if err := value.Decode(&fields); err == nil {
				e.Fields, _ = yamljson.Plain(fields).(map[string]any)
			}
			if kind := mappingValue(value, "kind"); kind != nil && kind.Kind == yaml.ScalarNode && !isNull(kind) {
				e.Kind = kind.Value
			}
			e.UI = uiPos(e.Fields)
		}
		out = append(out, e)
	}
	return out
}

// linesAfter returns the last line that can belong to the value of the
// top-level key: the line before the next key written below it, or the
// file's last line.
func (c *Checker) linesAfter(root *yaml.Node, key string) int {
	end := len(c.lines)
	k, _ := mappingEntry(root, key)
	if k == nil {
		return end
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if l := root.Content[i].Line; l > k.Line && l-1 < end {
			end = l - 1
		}
	}
	return end
}

// trimTail moves last back over blank lines and comment lines, not past
// first.
func (c *Checker) trimTail(first, last int) int {
	last = max(first, min(last, len(c.lines)))
	for last > first {
		line := strings.TrimSpace(c.lines[last-1])
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
