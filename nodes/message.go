package nodes

import "github.com/parleyhq/parley/flows"

// Message sends text with optional buttons and attachments, then continues.
type Message struct {
	Text        *flows.Template
	Buttons     []*flows.Template
	Attachments []Attachment
	Next        *flows.Edge
}

// Attachment is a file or picture sent with a message.
type Attachment struct {
	URL  *flows.Template
	Name string
	Type string
}

var attachmentTypes = []string{"image", "file", "audio", "video"}

var messageKind = kind[Message]{
	spec: &flows.KindSpec{
		Name:    "message",
		Summary: "Sends text, buttons and attachments, then continues at once.",
		Fields: []*flows.Field{
			flows.NewField("text", flows.TypeTemplate, "What the bot says; {{ expr }} parts are filled in.").Ex("Hello, {{ name }}!"),
			flows.ListField("buttons", "Quick replies shown under the text.",
				flows.NewField("button", flows.TypeTemplate, "A button label.")).Ex([]any{"Yes", "No"}),
			flows.ListField("attachments", "Files or pictures sent with the text.",
				flows.ObjectField("attachment", "A file or picture.",
					flows.NewField("url", flows.TypeTemplate, "Where the file is.").Req().Ex("https://example.com/menu.pdf"),
					flows.NewField("name", flows.TypeString, "The file name shown to the user.").Ex("menu.pdf"),
					flows.EnumField("type", "How clients show it.", attachmentTypes...).Def("file"),
				)),
			nextField(),
		},
	},
	decode: decodeMessage,
}

func decodeMessage(n *flows.Node, c *flows.Checker) *Message {
	f := n.Fields
	m := &Message{Text: f.Template("text"), Buttons: templates(f.List("buttons")), Next: f.Edge("next")}
	for _, a := range f.List("attachments") {
		m.Attachments = append(m.Attachments, Attachment{URL: a.Object.Template("url"), Name: a.Object.String("name"), Type: a.Object.String("type")})
	}
	if !f.Has("text") && !f.Has("attachments") {
		c.Errorf(n.Pos, flows.CodeMissingField, "message node %q needs \"text\" or \"attachments\"", n.ID)
	}
	return m
}
