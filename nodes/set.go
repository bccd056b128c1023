package nodes

import "github.com/parleyhq/parley/flows"

// Set assigns expressions to variables, in order.
type Set struct {
	Assign []Assignment
	Next   *flows.Edge
}

// Assignment stores the value of Value in Variable.
type Assignment struct {
	Variable string
	Value    *flows.Expr
}

var setKind = kind[Set]{
	spec: &flows.KindSpec{
		Name:    "set",
		Summary: "Assigns expressions to variables, in order, then continues.",
		Fields: []*flows.Field{
			flows.MapField("assign", "Variables and the expressions whose values they get.", flows.TypeVariable,
				flows.NewField("value", flows.TypeExpr, "An expression.")).Req().NotEmpty().Ex(map[string]any{"attempts": "attempts + 1"}),
			nextField(),
		},
	},
	decode: decodeSet,
}

func decodeSet(n *flows.Node, c *flows.Checker) *Set {
	s := &Set{Next: n.Fields.Edge("next")}
	assign := n.Fields.Object("assign")
	if assign == nil {
		return s
	}
	for _, name := range assign.Keys {
		e := assign.Expr(name)
		v := c.Flow.Variable(name)
		if e == nil || v == nil {
			continue
		}
		if !exprFits(v.Type, e.ResultType()) {
			c.Errorf(assign.ValuePos(name), flows.CodeTypeMismatch, "%q is a %s variable, but this expression gives %s", name, v.Type, describeType(e.ResultType()))
		}
		s.Assign = append(s.Assign, Assignment{Variable: name, Value: e})
	}
	return s
}
