package flows

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// loadNodes checks every node against the spec of its kind and decodes it.
func (c *Checker) loadNodes(nodes []pair, lang *Language) {
	kindNames := lang.KindNames()
	for _, p := range nodes {
		id := p.key.Value
		value := resolve(p.value)
		if value.Kind != yaml.MappingNode {
			c.Errorf(posOf(value), CodeWrongType, "node %q must be a mapping with `kind` and its fields, got %s", id, describe(value))
			continue
		}
		kindNode := mappingValue(value, "kind")
		if kindNode == nil || isNull(kindNode) {
			c.Errorf(posOf(p.key), CodeMissingField, "node %q needs `kind`, one of %s", id, strings.Join(kindNames, ", "))
			continue
		}
		kind := lang.Kind(kindNode.Value)
		if kind == nil || kindNode.Kind != yaml.ScalarNode {
			c.Errorf(posOf(kindNode), CodeUnknownKind, "unknown node kind %s; use one of %s%s", describe(kindNode), strings.Join(kindNames, ", "), DidYouMean(kindNode.Value, kindNames))
			continue
		}
		spec := kind.Spec()
		fields := append(nodeCommonFields(kindNames), spec.Fields...)
		n := &Node{ID: id, Pos: posOf(p.key), Kind: spec.Name, KindPos: posOf(kindNode)}
		n.Fields = c.checkObject(value, fields, fmt.Sprintf("%s node %q", spec.Name, id))
		n.Config = kind.Decode(n, c)
		n.Pauses = kind.Pauses(n.Config)
		n.Edges = edgesOf(n.Fields, fields)
		if c.nodeIDs[id] {
			c.Flow.addNode(n)
		}
	}
}

func nodeCommonFields(kindNames []string) []*Field {
	fields := append([]*Field(nil), CommonNodeFields...)
	fields[0] = EnumField("kind", "The node kind.", kindNames...).Req()
	return fields
}

// mappingValue returns the value of key in mapping m, or nil.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	_, v := mappingEntry(m, key)
	return v
}

// mappingEntry returns the key node and value of key in mapping m, or nils.
func mappingEntry(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	if m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], resolve(m.Content[i+1])
		}
	}
	return nil, nil
}

// edgesOf lists the node references among a node's fields, in spec order.
func edgesOf(obj *Object, fields []*Field) []EdgeRef {
	var edges []EdgeRef
	for _, f := range fields {
		v := obj.Get(f.Name)
		if v == nil {
			continue
		}
		switch f.Type {
		case TypeNode:
			edges = append(edges, EdgeRef{Field: f.Name, To: v.Str, Pos: v.Pos, ErrorPath: f.ErrorPath})
		case TypeEdge:
			for _, b := range v.Edge.Branches {
				e := EdgeRef{Field: f.Name, To: b.To, Pos: b.ToPos, Conditional: b.hasIf}
				if b.If != nil {
					e.Condition = b.If.Source
				}
				edges = append(edges, e)
			}
		}
	}
	return edges
}
