package nodes

import "github.com/parleyhq/parley/flows"

// Branch only chooses where to go next.
type Branch struct {
	Next *flows.Edge
}

var branchKind = kind[Branch]{
	spec: &flows.KindSpec{
		Name:    "branch",
		Summary: "Chooses where to continue: the first {if, to} whose condition holds.",
		Fields: []*flows.Field{
			nextField().Req().Ex([]any{map[string]any{"if": "score > 7", "to": "hot"}, map[string]any{"to": "cold"}}),
		},
	},
	decode: func(n *flows.Node, c *flows.Checker) *Branch {
		return &Branch{Next: n.Fields.Edge("next")}
	},
}
