package nodes

import "github.com/parleyhq/parley/flows"

// LLM calls the model with the bot's AI settings merged with the node's.
type LLM struct {
	Prompt     *flows.Template
	AI         AI // the node's own settings; the engine merges them over the bot's
	Knowledge  []string
	TopK       int     // chunks retrieved from the knowledge bases
	MinScore   float64 // least cosine similarity of a retrieved chunk
	Save       string
	Reply      bool
	JSONSchema map[string]any
	Converse   bool
	ExitWhen   *flows.Expr
	OnError    string
	Next       *flows.Edge
}

var llmKind = kind[LLM]{
	spec: &flows.KindSpec{
		Name:    "llm",
		Summary: "Calls the language model and sends or saves its answer; with converse, keeps chatting turn after turn.",
		Fields: []*flows.Field{
			flows.NewField("prompt", flows.TypeTemplate, "The user message sent to the model; the user's last message when omitted.").Ex("Answer about {{ topic }}."),
			flows.NewField("instruction", flows.TypeTemplate, "The system instruction; overrides settings.ai.instruction.").Ex("Answer in one paragraph."),
			modelField(), memoryField(), formattingField(), toolsField(),
			flows.ListField("knowledge", "Knowledge bases (vector stores) searched for context.",
				flows.NewField("store", flows.TypeString, "A vector store name (or id).")).Ex([]any{"faq"}),
			flows.NewField("top_k", flows.TypeInt, "How many knowledge chunks go into the prompt.").Range(1, 50).Def(4),
			flows.NewField("min_score", flows.TypeNumber, "The least similarity (cosine, 0-1) a chunk needs to be used.").Range(0, 1).Def(0.1),
			saveField("The variable that receives the answer (parsed JSON with json_schema)."),
			flows.NewField("reply", flows.TypeBool, "Send the answer to the user as a bot message.").Def(true),
			flows.NewField("json_schema", flows.TypeAny, "A JSON Schema the answer must match; the parsed answer is saved.").Ex(map[string]any{"type": "object"}),
			flows.NewField("converse", flows.TypeBool, "Keep answering each user message until exit_when holds or the model hands off.").Def(false),
			flows.NewField("exit_when", flows.TypeCondition, "With converse: leave the conversation when this holds.").Ex("topic != ''"),
			onErrorField(),
			nextField(),
		},
	},
	decode: decodeLLM,
	pauses: func(l *LLM) bool { return l.Converse },
}

func decodeLLM(n *flows.Node, c *flows.Checker) *LLM {
	f := n.Fields
	l := &LLM{
		Prompt: f.Template("prompt"), AI: decodeAI(c, f), Knowledge: stringsOf(f.List("knowledge")),
		TopK: f.Int("top_k"), MinScore: f.Number("min_score"),
		Save: f.String("save"), Reply: f.Bool("reply"), Converse: f.Bool("converse"),
		ExitWhen: f.Expr("exit_when"), OnError: f.String("on_error"), Next: f.Edge("next"),
	}
	if v := f.Get("json_schema"); v != nil {
		schema, ok := v.Any.(map[string]any)
		if !ok {
			c.Errorf(v.Pos, flows.CodeWrongType, "\"json_schema\" must be a JSON Schema object, like {type: object, properties: {...}}")
		}
		l.JSONSchema = schema
		checkSaveType(c, n, "a JSON answer", flows.VarObject, flows.VarList)
	} else {
		checkSaveType(c, n, "the model's answer", flows.VarString)
	}
	if f.Has("exit_when") && !l.Converse && !f.Invalid("converse") {
		c.Errorf(f.PosOf("exit_when"), flows.CodeUnusedField, "\"exit_when\" has no effect without \"converse: true\"")
	}
	if (f.Has("top_k") || f.Has("min_score")) && len(l.Knowledge) == 0 {
		c.Warnf(n.Pos, flows.CodeUnusedField, "\"top_k\" and \"min_score\" have no effect without \"knowledge\"")
	}
	if !l.Reply && !f.Has("save") && !l.Converse {
		c.Warnf(n.Pos, flows.CodeUnusedField, "llm node %q neither replies nor saves its answer; set \"save\" or \"reply: true\"", n.ID)
	}
	return l
}
