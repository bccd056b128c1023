package nodes

import "github.com/parleyhq/parley/flows"

// End says goodbye and completes the dialog.
type End struct {
	Text *flows.Template
}

var endKind = kind[End]{
	spec: &flows.KindSpec{
		Name:    "end",
		Summary: "Optionally says goodbye, then completes the dialog.",
		Fields: []*flows.Field{
			flows.NewField("text", flows.TypeTemplate, "The last message.").Ex("Thanks, bye!"),
		},
	},
	decode: func(n *flows.Node, c *flows.Checker) *End {
		return &End{Text: n.Fields.Template("text")}
	},
}
