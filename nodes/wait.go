package nodes

import (
	"reflect"
	"time"

	"github.com/parleyhq/parley/flows"
)

// Wait pauses the dialog for a duration or until a time.
type Wait struct {
	For   time.Duration
	Until *flows.Expr // yields a time, or an RFC 3339 string
	Next  *flows.Edge
}

var waitKind = kind[Wait]{
	spec: &flows.KindSpec{
		Name:    "wait",
		Summary: "Pauses the dialog for a duration (for) or until a time (until), for follow-ups; waits for time.",
		Fields: []*flows.Field{
			flows.NewField("for", flows.TypeDuration, "How long to wait.").Ex("3d"),
			flows.NewField("until", flows.TypeExpr, "An expression giving the time to wait for (a time, or an RFC 3339 string).").Ex("now() + duration('72h')"),
			nextField(),
		},
	},
	decode: decodeWait,
	pauses: always[Wait],
}

var timeType = reflect.TypeOf(time.Time{})

func decodeWait(n *flows.Node, c *flows.Checker) *Wait {
	f := n.Fields
	requireOneOf(c, n, "for", "until")
	w := &Wait{For: f.Duration("for"), Until: f.Expr("until"), Next: f.Edge("next")}
	if w.Until != nil {
		if t := w.Until.ResultType(); t != nil && t != timeType && t.Kind() != reflect.String {
			c.Errorf(f.ValuePos("until"), flows.CodeTypeMismatch, "\"until\" must give a time or an RFC 3339 string, but gives %s", describeType(t))
		}
	}
	return w
}
