package nodes

import (
	"time"

	"github.com/parleyhq/parley/flows"
)

// Handoff hands the dialog to an operator; the bot is silent until the
// operator hands it back, then continues at Next.
type Handoff struct {
	Text      *flows.Template
	Reason    *flows.Template
	Queue     string
	Timeout   time.Duration // 0: waits for an operator for ever
	OnTimeout string
	Next      *flows.Edge
}

var handoffKind = kind[Handoff]{
	spec: &flows.KindSpec{
		Name:    "handoff",
		Summary: "Hands the dialog to an operator; the bot stays silent until it is handed back, then continues at next.",
		Fields: []*flows.Field{
			flows.NewField("text", flows.TypeTemplate, "Said to the user when the handoff starts.").Ex("Connecting you to an operator."),
			flows.NewField("reason", flows.TypeTemplate, "Why the dialog needs a person, shown to operators.").Ex("Asked for a human"),
			flows.NewField("queue", flows.TypeString, "The operator queue.").Ex("support"),
			flows.NewField("timeout", flows.TypeDuration, "How long to wait for an operator to take the dialog.").Ex("15m"),
			onTimeoutField(),
			nextField(),
		},
	},
	decode: func(n *flows.Node, c *flows.Checker) *Handoff {
		f := n.Fields
		requireWith(c, n, "on_timeout", "timeout", "set how long to wait for an operator")
		return &Handoff{Text: f.Template("text"), Reason: f.Template("reason"), Queue: f.String("queue"),
			Timeout: f.Duration("timeout"), OnTimeout: f.String("on_timeout"), Next: f.Edge("next")}
	},
	pauses: always[Handoff],
}
