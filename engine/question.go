package engine

import (
	"go.temporal.io/sdk/workflow"

	"github.com/parleyhq/parley/nodes"
	"github.com/parleyhq/parley/store"
)

// ask sends a question and waits for the answer.
func (d *dialog) ask(t *turn, id string, q *nodes.Question) {
	d.say(t, store.MessageAssistant, d.render(t, q.Text), d.renderAll(t, q.Input.Options), id)
	d.s.Waiting = &Waiting{Node: id, Kind: "question", Since: workflow.Now(t.ctx)}
}

// userMessage handles a message from the user: stored always (except in
// blocked mode), answered by the bot only in auto mode.
func (d *dialog) userMessage(t *turn, in MessageInput) {
	if d.s.Mode == store.ModeBlocked {
		return
	}
	d.userMessageAs(t, in, in.Text)
}

// recordUserMessage keeps in, as sent, in the transcript.
func (d *dialog) recordUserMessage(t *turn, in MessageInput) {
	text := in.Text
	if text == "" && in.File != nil {
		text = in.File.Name
	}
	m := store.Message{Role: store.MessageUser, Text: text, Node: d.s.Node, ClientMessageID: in.ClientMessageID}
	if f := in.File; f != nil { // the file stays on the message, for transcripts to link
		m.Files = []store.Attachment{{ID: f.ID, Name: f.Name, MIMEType: f.MIMEType, Size: f.Size}}
	}
	d.record(t, m)
}

// userMessageAs is userMessage whose transcript shows sent where in.Text
// is what the bot takes (a debounced batch's lines, the last one sent).
func (d *dialog) userMessageAs(t *turn, in MessageInput, sent string) {
	shown := in
	shown.Text = sent
	d.recordUserMessage(t, shown)
	now := workflow.Now(t.ctx)
	d.s.Input, d.s.LastUserAt = in.Text, &now
	if in.Unanswered {
		return
	}
	if d.s.Mode != store.ModeAuto {
		d.s.Pending++
		return
	}
	switch w := d.s.Waiting; {
	case w == nil:
	case w.Kind == "question":
		d.answer(t, w, in.File)
	case w.Kind == "llm":
		d.converse(t, w)
	case w.Kind == "approval" && w.Approval.By == "user":
		d.userDecides(t, w)
	}
}

// answer checks the user's answer to the question being asked: a valid one
// is saved and recorded, an invalid one is re-asked up to `retries` times.
func (d *dialog) answer(t *turn, w *Waiting, file *FileRef) {
	n := d.flow.Node(w.Node)
	q := n.Config.(*nodes.Question)
	options := d.renderAll(t, q.Input.Options)
	value, shown, ok := parseAnswer(q.Input, options, d.s.Input)
	if q.Input.Type == nodes.InputFile {
		value, shown, ok = parseFile(q.Input, file)
	}
	if !ok {
		d.invalidAnswer(t, n.ID, q, w, options)
		return
	}
	if q.Save != "" {
		d.s.Variables[q.Save] = coerce(d.flow.Variable(q.Save).Type, value)
	}
	d.collect(t, store.DataItem{Question: d.render(t, q.Text), Type: string(q.Input.Type), Answer: shown, Variable: q.Save})
	d.s.Waiting = nil
	if next, ok := d.follow(t, q.Next); ok {
		d.run(t, next)
	}
}

func (d *dialog) invalidAnswer(t *turn, id string, q *nodes.Question, w *Waiting, options []string) {
	w.Attempts++
	if w.Attempts > q.Retries && q.OnInvalid != "" {
		d.s.Waiting = nil
		d.run(t, q.OnInvalid)
		return
	}
	text := defaultInvalid(q.Input.Type)
	if q.Invalid != nil {
		text = d.render(t, q.Invalid)
	}
	d.say(t, store.MessageAssistant, text, options, id)
}

// defaultInvalid is what the bot says after an invalid answer when the
// question has no `invalid` text.
func defaultInvalid(t nodes.InputType) string {
	switch t {
	case nodes.InputNumber:
		return "Please send a number."
	case nodes.InputEmail:
		return "Please send a valid email address, like anna@example.com."
	case nodes.InputPhone:
		return "Please send a phone number with its country code, like +44 20 7946 0958."
	case nodes.InputDate:
		return "Please send a date, like 2026-12-31."
	case nodes.InputChoice, nodes.InputMultichoice:
		return "Please pick one of the options."
	case nodes.InputYesNo:
		return "Please answer yes or no."
	case nodes.InputFile:
		return "Please upload a file."
	}
	return "Sorry, I didn't get that. Please try again."
}

// remind sends the next reminder of the question being asked.
func (d *dialog) remind(t *turn) {
	w := d.s.Waiting
	q := d.flow.Node(w.Node).Config.(*nodes.Question)
	d.say(t, store.MessageAssistant, d.render(t, q.Remind[w.Reminded].Text), nil, w.Node)
	w.Reminded++
}

// questionTimedOut follows on_timeout; without one the dialog is interrupted.
func (d *dialog) questionTimedOut(t *turn) {
	q := d.flow.Node(d.s.Waiting.Node).Config.(*nodes.Question)
	d.s.Waiting = nil
	if q.OnTimeout == "" {
		d.s.Status = store.StatusInterrupted
		return
	}
	d.run(t, q.OnTimeout)
}
