package nodes

import (
	"slices"
	"strings"

	"github.com/parleyhq/parley/flows"
)

// The bot's `settings` have the shape of Worken's BotSettings: `ai` holds the
// model defaults that every llm node starts from.

// AI is the model configuration of a bot or an llm node. Nil pointers and
// empty strings are "not set", so a node's fields can override the bot's.
type AI struct {
	Instruction *flows.Template
	Model       Model
	Memory      Memory
	Formatting  Formatting
	Tools       map[string]string // tool name -> auto, user_approve or operator_approve
}

// Model selects the model and its sampling parameters.
type Model struct {
	ID               string
	Temperature      *float64
	MaxTokens        *int
	TopP             *float64
	FrequencyPenalty *float64
	PresencePenalty  *float64
}

// Memory says what earlier conversation the model sees.
type Memory struct {
	LastMessages   *int
	SemanticRecall *bool
	WorkingMemory  *bool
	GenerateTitle  *bool
}

// Formatting post-processes the model's replies.
type Formatting struct {
	RemoveEmojis   *bool
	RemoveMarkdown *bool
}

// Built-in tools every llm node can be given.
var builtinTools = []string{"handoff", "knowledge_search", "update_working_memory"}

var approvalModes = []string{"auto", "user_approve", "operator_approve"}

func modelField() *flows.Field {
	return flows.ObjectField("model", "The model and its sampling parameters.",
		flows.NewField("id", flows.TypeString, "The model id, as the provider names it.").Ex("openai/gpt-4o-mini"),
		flows.NewField("temperature", flows.TypeNumber, "Sampling temperature.").Range(0, 2).Ex(0.3),
		flows.NewField("max_tokens", flows.TypeInt, "The longest answer, in tokens.").AtLeast(1).Ex(1024),
		flows.NewField("top_p", flows.TypeNumber, "Nucleus sampling.").Range(0, 1).Ex(1),
		flows.NewField("frequency_penalty", flows.TypeNumber, "Penalty for repeated tokens.").Range(-2, 2).Ex(0),
		flows.NewField("presence_penalty", flows.TypeNumber, "Penalty for tokens already present.").Range(-2, 2).Ex(0),
	).Ex(map[string]any{"id": "openai/gpt-4o-mini", "temperature": 0.3})
}

func memoryField() *flows.Field {
	return flows.ObjectField("memory", "What earlier conversation the model sees.",
		flows.NewField("lastMessages", flows.TypeInt, "How many recent messages of the dialog go into the prompt.").Range(0, 1000).Ex(20),
		flows.NewField("semanticRecall", flows.TypeBool, "Add relevant earlier messages of the same user.").Ex(false),
		flows.ObjectField("workingMemory", "A block of facts the model keeps up to date.",
			flows.NewField("enabled", flows.TypeBool, "Turn working memory on.").Ex(true)),
		flows.NewField("generateTitle", flows.TypeBool, "Give the dialog a short title after the first exchange.").Ex(true),
	)
}

func formattingField() *flows.Field {
	return flows.ObjectField("formatting", "How replies are cleaned up before they are sent.",
		flows.NewField("removeEmojis", flows.TypeBool, "Strip emojis.").Ex(false),
		flows.NewField("removeMarkdown", flows.TypeBool, "Strip Markdown markup.").Ex(false),
	)
}

func toolsField() *flows.Field {
	return flows.MapField("tools", "Tools the model may call, each with who approves a call: auto, user_approve or operator_approve.", flows.TypeString,
		flows.EnumField("approval", "Who approves a call of the tool.", approvalModes...)).Ex(map[string]any{"handoff": "auto"})
}

var settingsField = flows.ObjectField("settings", "Bot-level defaults, shaped like Worken's BotSettings.",
	flows.ObjectField("ai", "Defaults for every llm node, and the whole bot when it has no nodes.",
		flows.NewField("instruction", flows.TypeTemplate, "The system instruction.").Ex("You are ACME support. Answer briefly."),
		modelField(), memoryField(), formattingField(), toolsField(),
	),
	toolsDefField(),
	concurrencyField(),
)

// decodeAI reads an AI configuration from an object holding instruction,
// model, memory, formatting and tools, and checks the tool names: built-in
// or declared in settings.tools.
func decodeAI(c *flows.Checker, obj *flows.Object) AI {
	ai := AI{Instruction: obj.Template("instruction")}
	if m := obj.Object("model"); m != nil {
		ai.Model = Model{ID: m.String("id"), Temperature: optFloat(m, "temperature"), MaxTokens: optInt(m, "max_tokens"),
			TopP: optFloat(m, "top_p"), FrequencyPenalty: optFloat(m, "frequency_penalty"), PresencePenalty: optFloat(m, "presence_penalty")}
	}
	if m := obj.Object("memory"); m != nil {
		ai.Memory = Memory{LastMessages: optInt(m, "lastMessages"), SemanticRecall: optBool(m, "semanticRecall"),
			WorkingMemory: optBool(m.Object("workingMemory"), "enabled"), GenerateTitle: optBool(m, "generateTitle")}
	}
	if m := obj.Object("formatting"); m != nil {
		ai.Formatting = Formatting{RemoveEmojis: optBool(m, "removeEmojis"), RemoveMarkdown: optBool(m, "removeMarkdown")}
	}
	if m := obj.Object("tools"); m != nil {
		ai.Tools = map[string]string{}
		known := slices.Clone(builtinTools)
		if c.Flow != nil {
			if declared := c.Flow.Settings.Object("tools"); declared != nil {
				known = append(known, declared.Keys...)
			}
		}
		for _, name := range m.Keys {
			if !slices.Contains(known, name) {
				c.Errorf(m.PosOf(name), flows.CodeInvalidValue, "unknown tool %q; the tools are %s (declare your own under settings.tools)%s", name, strings.Join(known, ", "), flows.DidYouMean(name, known))
				continue
			}
			ai.Tools[name] = m.String(name)
		}
	}
	return ai
}

// Settings decodes a flow's bot-level AI settings.
func Settings(f *flows.Flow) AI {
	c := &flows.Checker{Flow: f} // problems were reported when the flow loaded
	return decodeAI(c, f.Settings.Object("ai"))
}

func checkSettings(c *flows.Checker, settings *flows.Object) {
	decodeAI(c, settings.Object("ai"))
	decodeToolDefs(c, settings.Object("tools"))
}

func optFloat(o *flows.Object, name string) *float64 {
	if v := o.Get(name); v != nil {
		return &v.Num
	}
	return nil
}

func optInt(o *flows.Object, name string) *int {
	if v := o.Get(name); v != nil {
		return &v.Int
	}
	return nil
}

func optBool(o *flows.Object, name string) *bool {
	if v := o.Get(name); v != nil {
		return &v.Bool
	}
	return nil
}
