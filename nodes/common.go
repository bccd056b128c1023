package nodes

import (
	"reflect"
	"strings"

	"github.com/parleyhq/parley/flows"
)

// Fields shared by several kinds.

func nextField() *flows.Field {
	return flows.NewField("next", flows.TypeEdge, "Where to continue: a node id, or a list of {if, to} tried in order. Without it the dialog ends here.").Ex("ask_topic")
}

func saveField(doc string) *flows.Field {
	return flows.NewField("save", flows.TypeVariable, doc).Ex("answer")
}

func onTimeoutField() *flows.Field {
	return flows.NewField("on_timeout", flows.TypeNode, "Where to continue when the timeout elapses.").Ex("bye")
}

func onErrorField() *flows.Field {
	return flows.NewField("on_error", flows.TypeNode, "Where to continue when the call fails.").OnError().Ex("human")
}

// templates returns the templates of a list of template values.
func templates(values []*flows.Value) []*flows.Template {
	out := make([]*flows.Template, 0, len(values))
	for _, v := range values {
		out = append(out, v.Template)
	}
	return out
}

// stringsOf returns the text of a list of string values.
func stringsOf(values []*flows.Value) []string {
	out := make([]string, 0, len(values))
	for _, v := range values {
		out = append(out, v.Str)
	}
	return out
}

// requireOneOf reports when not exactly one of a and b is written.
func requireOneOf(c *flows.Checker, n *flows.Node, a, b string) {
	f := n.Fields
	switch {
	case f.Has(a) && f.Has(b):
		c.Errorf(f.PosOf(b), flows.CodeConflict, "%s node %q takes either %q or %q, not both", n.Kind, n.ID, a, b)
	case !f.Has(a) && !f.Has(b):
		c.Errorf(n.Pos, flows.CodeMissingField, "%s node %q needs %q or %q", n.Kind, n.ID, a, b)
	}
}

// requireWith reports field written without the field it depends on.
func requireWith(c *flows.Checker, n *flows.Node, field, needs, why string) {
	if n.Fields.Has(field) && !n.Fields.Has(needs) {
		c.Errorf(n.Fields.PosOf(field), flows.CodeUnusedField, "%q has no effect without %q: %s", field, needs, why)
	}
}

// checkSaveType reports a `save` variable whose type cannot hold what the
// node stores; allowed lists the types that can (any always can).
func checkSaveType(c *flows.Checker, n *flows.Node, what string, allowed ...flows.VarType) {
	name := n.Fields.String("save")
	v := c.Flow.Variable(name)
	if v == nil || v.Type == flows.VarAny {
		return
	}
	for _, t := range allowed {
		if v.Type == t {
			return
		}
	}
	c.Errorf(n.Fields.ValuePos("save"), flows.CodeTypeMismatch, "%s cannot be saved in %q, a %s variable; declare it as %s or any", what, name, v.Type, join(allowed, " or "))
}

// join joins string-like values with sep.
func join[T ~string](values []T, sep string) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = string(v)
	}
	return strings.Join(s, sep)
}

// exprFits reports whether an expression's static result type can be stored
// in a variable of type t. A type known only at run time always fits.
func exprFits(t flows.VarType, rt reflect.Type) bool {
	if rt == nil {
		return true
	}
	if rt.Kind() == reflect.Func {
		return false // a dialog's variables are stored as JSON, which has no functions
	}
	switch t {
	case flows.VarString:
		return rt.Kind() == reflect.String
	case flows.VarNumber:
		return isNumber(rt.Kind())
	case flows.VarInteger:
		return rt.Kind() >= reflect.Int && rt.Kind() <= reflect.Uint64
	case flows.VarBoolean:
		return rt.Kind() == reflect.Bool
	case flows.VarObject:
		return rt.Kind() == reflect.Map || rt.Kind() == reflect.Struct
	case flows.VarList:
		return rt.Kind() == reflect.Slice || rt.Kind() == reflect.Array
	}
	return true
}

func isNumber(k reflect.Kind) bool {
	return (k >= reflect.Int && k <= reflect.Uint64) || k == reflect.Float32 || k == reflect.Float64
}

// describeType names a static expression type the way variable types are
// named: "an integer", "a number", "a string", ...
func describeType(t reflect.Type) string {
	switch k := t.Kind(); {
	case k == reflect.String:
		return "a string"
	case k == reflect.Bool:
		return "a boolean"
	case k >= reflect.Int && k <= reflect.Uint64:
		return "an integer"
	case isNumber(k):
		return "a number"
	case k == reflect.Map || k == reflect.Struct:
		return "an object"
	case k == reflect.Slice || k == reflect.Array:
		return "a list"
	case k == reflect.Func:
		return "a function, which no variable can keep (call it: now())"
	}
	return "a " + t.String()
}
