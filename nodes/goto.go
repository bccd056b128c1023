package nodes

import "github.com/parleyhq/parley/flows"

// Goto jumps to another node, or transfers the dialog to another bot.
type Goto struct {
	To  string // a node of this bot
	Bot string // the slug of another bot; variables and the dialog id are kept
}

var gotoKind = kind[Goto]{
	spec: &flows.KindSpec{
		Name:    "goto",
		Summary: "Jumps to a node (to), or transfers the dialog to another bot (bot) keeping its variables.",
		Fields: []*flows.Field{
			flows.NewField("to", flows.TypeNode, "The node to jump to.").Ex("ask_topic"),
			flows.NewField("bot", flows.TypeBot, "The bot to transfer the dialog to; it starts at that bot's start node.").Ex("sales"),
		},
	},
	decode: func(n *flows.Node, c *flows.Checker) *Goto {
		requireOneOf(c, n, "to", "bot")
		return &Goto{To: n.Fields.String("to"), Bot: n.Fields.String("bot")}
	},
}
