package nodes

import (
	"regexp"
	"slices"
	"time"

	"github.com/parleyhq/parley/flows"
)

// Question asks the user, validates the answer, saves it and continues.
type Question struct {
	Text      *flows.Template
	Input     Input
	Save      string
	Retries   int
	Invalid   *flows.Template // nil: the engine's text for the input type
	Timeout   time.Duration   // 0: waits for ever
	Remind    []Reminder
	OnTimeout string
	OnInvalid string // "": keeps asking after the retries
	Next      *flows.Edge
}

// Input says what answer a question accepts.
type Input struct {
	Type     InputType
	Options  []*flows.Template
	Pattern  *regexp.Regexp
	Min, Max *float64 // number bounds, or text length bounds
	Accept   []string // MIME types for files, like image/* or application/pdf
}

// InputType is the kind of answer a question accepts.
type InputType string

// Input types.
const (
	InputText        InputType = "text"
	InputNumber      InputType = "number"
	InputEmail       InputType = "email"
	InputPhone       InputType = "phone"
	InputDate        InputType = "date"
	InputChoice      InputType = "choice"
	InputMultichoice InputType = "multichoice"
	InputYesNo       InputType = "yes_no"
	InputFile        InputType = "file"
	InputRegex       InputType = "regex"
)

var inputTypes = []string{"text", "number", "email", "phone", "date", "choice", "multichoice", "yes_no", "file", "regex"}

// Reminder is sent when the user has not answered for After.
type Reminder struct {
	After time.Duration
	Text  *flows.Template
}

var questionKind = kind[Question]{
	spec: &flows.KindSpec{
		Name:    "question",
		Summary: "Asks the user, validates the answer, saves it and continues; waits for the user.",
		Fields: []*flows.Field{
			flows.NewField("text", flows.TypeTemplate, "The question.").Req().Ex("What is your email?"),
			flows.ObjectField("input", "What answer is accepted.",
				flows.EnumField("type", "The kind of answer.", inputTypes...).Def("text"),
				flows.ListField("options", "The choices, shown as buttons (choice and multichoice).",
					flows.NewField("option", flows.TypeTemplate, "A choice.")).NotEmpty().Ex([]any{"Billing", "Delivery"}),
				flows.NewField("pattern", flows.TypeRegex, "The regular expression the answer must match (regex).").Ex(`^[A-Z]{2}\d{6}$`),
				flows.NewField("min", flows.TypeNumber, "The smallest number (number) or shortest length (text).").Ex(1),
				flows.NewField("max", flows.TypeNumber, "The largest number (number) or longest length (text).").Ex(100),
				flows.ListField("accept", "Accepted MIME types (file).",
					flows.NewField("type", flows.TypeString, "A MIME type or pattern.")).Ex([]any{"image/*", "application/pdf"}),
			).Ex(map[string]any{"type": "choice", "options": []any{"Billing", "Delivery"}}),
			saveField("The variable that receives the answer."),
			flows.NewField("retries", flows.TypeInt, "How many invalid answers are re-asked before on_invalid.").Range(0, 100).Def(2),
			flows.NewField("invalid", flows.TypeTemplate, "Said when an answer is invalid, before asking again.").Ex("Please pick one of the buttons."),
			flows.NewField("on_invalid", flows.TypeNode, "Where to continue after the retries are used up; without it the question keeps asking.").Ex("human"),
			flows.NewField("timeout", flows.TypeDuration, "How long to wait for an answer.").Ex("10m"),
			flows.ListField("remind", "Reminders sent while waiting.",
				flows.ObjectField("reminder", "A reminder.",
					flows.NewField("after", flows.TypeDuration, "Time since the question was asked.").Req().Ex("5m"),
					flows.NewField("text", flows.TypeTemplate, "What to say.").Req().Ex("Are you still there?"),
				)),
			onTimeoutField(),
			nextField(),
		},
	},
	decode: decodeQuestion,
	pauses: always[Question],
}

func decodeQuestion(n *flows.Node, c *flows.Checker) *Question {
	f := n.Fields
	q := &Question{
		Text: f.Template("text"), Save: f.String("save"), Retries: f.Int("retries"),
		Invalid: f.Template("invalid"), OnInvalid: f.String("on_invalid"),
		Timeout: f.Duration("timeout"), OnTimeout: f.String("on_timeout"), Next: f.Edge("next"),
	}
	q.Input = decodeInput(n, c)
	for _, r := range f.List("remind") {
		q.Remind = append(q.Remind, Reminder{After: r.Object.Duration("after"), Text: r.Object.Template("text")})
		if q.Timeout > 0 && r.Object.Duration("after") >= q.Timeout {
			c.Errorf(r.Object.ValuePos("after"), flows.CodeOutOfRange, "a reminder must come before the timeout (%s)", f.String("timeout"))
		}
	}
	requireWith(c, n, "remind", "timeout", "reminders are sent while a timeout runs")
	requireWith(c, n, "on_timeout", "timeout", "set how long to wait")
	checkSaveType(c, n, string(q.Input.Type)+" answers", saveTypes[q.Input.Type]...)
	return q
}

// saveTypes are the variable types that can hold each input type's answer.
var saveTypes = map[InputType][]flows.VarType{
	InputText: {flows.VarString}, InputEmail: {flows.VarString}, InputPhone: {flows.VarString},
	InputDate: {flows.VarString}, InputChoice: {flows.VarString}, InputRegex: {flows.VarString},
	InputNumber: {flows.VarNumber, flows.VarInteger}, InputYesNo: {flows.VarBoolean},
	InputMultichoice: {flows.VarList}, InputFile: {flows.VarObject},
}

// inputFieldUse says which input types each optional input field applies to.
var inputFieldUse = map[string][]InputType{
	"options": {InputChoice, InputMultichoice},
	"pattern": {InputRegex},
	"min":     {InputNumber, InputText},
	"max":     {InputNumber, InputText},
	"accept":  {InputFile},
}

func decodeInput(n *flows.Node, c *flows.Checker) Input {
	obj := n.Fields.Object("input")
	in := Input{Type: InputType(obj.String("type"))}
	if in.Type == "" {
		in.Type = InputText
	}
	if obj == nil {
		return in
	}
	in.Options, in.Pattern, in.Accept = templates(obj.List("options")), obj.Regex("pattern"), stringsOf(obj.List("accept"))
	if v := obj.Get("min"); v != nil {
		in.Min = &v.Num
	}
	if v := obj.Get("max"); v != nil {
		in.Max = &v.Num
	}
	if obj.Invalid("type") {
		return in // which fields apply is unknown; the type is reported
	}
	for _, name := range []string{"options", "pattern", "min", "max", "accept"} {
		if obj.Has(name) && !usesField(in.Type, name) {
			c.Errorf(obj.PosOf(name), flows.CodeUnusedField, "%q does not apply to %s input; it is for %s", name, in.Type, join(inputFieldUse[name], " and "))
		}
	}
	switch {
	case (in.Type == InputChoice || in.Type == InputMultichoice) && !obj.Has("options"):
		c.Errorf(obj.Pos, flows.CodeMissingField, "%s input needs \"options\", the choices shown as buttons", in.Type)
	case in.Type == InputRegex && !obj.Has("pattern"):
		c.Errorf(obj.Pos, flows.CodeMissingField, "regex input needs \"pattern\", the regular expression answers must match")
	case in.Min != nil && in.Max != nil && *in.Min > *in.Max:
		c.Errorf(obj.ValuePos("max"), flows.CodeOutOfRange, "\"max\" (%v) is smaller than \"min\" (%v)", *in.Max, *in.Min)
	}
	return in
}

func usesField(t InputType, field string) bool {
	return slices.Contains(inputFieldUse[field], t)
}
