package flows

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

const maxAliasDepth = 32

// resolve follows aliases to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < maxAliasDepth; i++ {
		n = n.Alias
	}
	return n
}

func posOf(n *yaml.Node) Pos { return Pos{Line: n.Line, Column: n.Column} }

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// describe names what a YAML node is, for messages like "got a list".
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "nothing"
		case "!!bool":
			return "a boolean"
		case "!!int", "!!float":
			return "a number"
		}
		return fmt.Sprintf("%q", truncate(n.Value, 40))
	}
	return "an alias"
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// pair is one key and value of a mapping.
type pair struct {
	key   *yaml.Node
	value *yaml.Node
}

// pairs returns the entries of a mapping, reporting duplicate keys and
// merge keys, which bot files do not support.
func (c *Checker) pairs(m *yaml.Node) []pair {
	seen := map[string]bool{}
	var out []pair
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], resolve(m.Content[i+1])
		if k.Tag == "!!merge" {
			c.Errorf(posOf(k), CodeUnsupportedYAML, "merge keys (<<) are not supported in bot files; write the fields out")
			continue
		}
		if k.Kind != yaml.ScalarNode {
			c.Errorf(posOf(k), CodeWrongType, "keys must be plain names, got %s", describe(k))
			continue
		}
		if seen[k.Value] {
			c.Errorf(posOf(k), CodeDuplicateKey, "%q is defined twice; remove one of them", k.Value)
			continue
		}
		seen[k.Value] = true
		out = append(out, pair{key: k, value: v})
	}
	return out
}

// plain converts a YAML node into plain Go values (map[string]any, []any,
// string, int, float64, bool, nil). budget bounds the work so that alias
// bombs cannot blow up.
func (c *Checker) plain(n *yaml.Node, budget *int, depth int) (any, bool) {
	n = resolve(n)
	*budget--
	if *budget < 0 || depth > 100 || n == nil {
		return nil, false
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for _, p := range c.pairs(n) {
			v, ok := c.plain(p.value, budget, depth+1)
			if !ok {
				return nil, false
			}
			m[p.key.Value] = v
		}
		return m, true
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, item := range n.Content {
			v, ok := c.plain(item, budget, depth+1)
			if !ok {
				return nil, false
			}
			l = append(l, v)
		}
		return l, true
	case yaml.ScalarNode:
		return scalarValue(n), true
	}
	return nil, false
}

// scalarValue decodes a scalar by its resolved tag.
func scalarValue(n *yaml.Node) any {
	switch n.Tag {
	case "!!null":
		return nil
	case "!!bool", "!!int", "!!float":
		var v any
		if n.Decode(&v) == nil {
			if u, ok := v.(uint64); ok {
				return float64(u)
			}
			return v
		}
	}
	return n.Value
}
