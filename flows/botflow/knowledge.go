package botflow

import (
	"slices"

	"gopkg.in/yaml.v3"

	"github.com/parleyhq/parley/store"
)

// AddKnowledge makes every llm node of a flow search the knowledge base
// (vector store) name: it is added to each one's `knowledge` list that
// lacks it. EINVALID when the flow has no llm node to search it.
func AddKnowledge(root *yaml.Node, name string) error {
	nodes := Get(root, "nodes")
	if nodes == nil || nodes.Kind != yaml.MappingNode {
		return store.Errorf(store.EINVALID, "The bot has no nodes, so no model could search its knowledge.")
	}
	found := false
	for i := 1; i < len(nodes.Content); i += 2 {
		node := nodes.Content[i]
		if kind := Get(node, "kind"); kind == nil || kind.Value != "llm" {
			continue
		}
		found = true
		list := Get(node, "knowledge")
		if list == nil || list.Kind != yaml.SequenceNode {
			list = &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
			Set(node, "knowledge", list, "")
		}
		if !slices.ContainsFunc(list.Content, func(n *yaml.Node) bool { return n.Value == name }) {
			list.Content = append(list.Content, Scalar(name))
		}
	}
	if !found {
		return store.Errorf(store.EINVALID, "The bot has no llm node, so no model would search its knowledge; add one to its flow.")
	}
	return nil
}
