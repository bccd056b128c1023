package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/nodes"
	"github.com/parleyhq/parley/store"
)

// chatNode is the id of the conversing llm node a bot without nodes runs.
const chatNode = "chat"

// defaultHistory is how many earlier messages go into a prompt when the
// settings do not say.
const defaultHistory = 20

// Error types of failed model calls. Model calls are retried by their
// activities' retry policies, and only there (the provider makes one
// attempt per call).
const (
	// ErrLLMRejected is a request the provider refused (a 4xx other than
	// 408 and 429), or one it asks to retry too much later: not retried.
	ErrLLMRejected = "LLM_REJECTED"
	// ErrLLMRetryLater is a transient failure whose provider said when to
	// try again (Retry-After); the next attempt waits that long.
	ErrLLMRetryLater = "LLM_RETRY_LATER"
)

// llm runs an llm node: it asks the model and replies, saves, or both. With
// converse the node then waits and answers every user message until
// exit_when holds.
func (d *dialog) llm(t *turn, id string, c *nodes.LLM) (string, bool) {
	if c.Converse && c.Prompt == nil { // nothing to say yet: wait for the user
		d.s.Waiting = &Waiting{Node: id, Kind: "llm", Since: workflow.Now(t.ctx)}
		return "", false
	}
	if !d.askModel(t, id, c) {
		return "", false
	}
	return d.answered(t, id, c, false)
}

// converse answers a user message at a conversing llm node.
func (d *dialog) converse(t *turn, w *Waiting) {
	c := d.llmConfig(w.Node)
	if !d.askModel(t, w.Node, c) {
		return
	}
	if next, ok := d.answered(t, w.Node, c, true); ok {
		d.run(t, next)
	}
}

// answerAgain asks the model again with the tool calls and results of this
// exchange, then goes on as after any answer.
func (d *dialog) answerAgain(t *turn, id string, followup []llm.Message) {
	c := d.llmConfig(id)
	if !d.askModel(t, id, c, followup...) {
		return
	}
	if next, ok := d.answered(t, id, c, c.Converse); ok {
		d.run(t, next)
	}
}

// answered decides what follows an answer: a conversing node waits for the
// next user message unless exit_when holds (checked when checkExit, that
// is, after answering the user); any other node goes on to next.
func (d *dialog) answered(t *turn, id string, c *nodes.LLM, checkExit bool) (string, bool) {
	if !c.Converse {
		d.s.Waiting = nil
		return d.follow(t, c.Next)
	}
	if checkExit && c.ExitWhen != nil {
		done, err := c.ExitWhen.EvalBool(d.scope(t))
		if err != nil {
			d.fail(t, fmt.Sprintf("The bot stopped at node %q: %v.", id, err))
			return "", false
		}
		if done {
			d.s.Waiting = nil
			return d.follow(t, c.Next)
		}
	}
	d.s.Waiting = &Waiting{Node: id, Kind: "llm", Since: workflow.Now(t.ctx)}
	return "", false
}

// llmConfig is the config of an llm node, or of the conversing node of a
// bot that has no nodes.
func (d *dialog) llmConfig(id string) *nodes.LLM {
	if n := d.flow.Node(id); n != nil {
		if c, ok := n.Config.(*nodes.LLM); ok {
			return c
		}
	}
	return &nodes.LLM{Reply: true, Converse: true}
}

// askModel calls the model once (twice when a json_schema answer does not
// parse or match the schema) and sends or saves the answer, or runs the
// tool it calls. It reports whether the turn goes on from this answer.
func (d *dialog) askModel(t *turn, id string, c *nodes.LLM, followup ...llm.Message) bool {
	var schema *jsonschema.Schema
	if c.JSONSchema != nil {
		var err error
		if schema, err = answerSchema(c); err != nil && checksJSONSchema(t.ctx) {
			d.fail(t, fmt.Sprintf("The bot stopped at node %q: its json_schema is not a valid JSON Schema: %v. Fix it and publish the bot again.", id, err))
			return false
		}
	}
	ai := mergeAI(nodes.Settings(d.flow), c.AI)
	call, err := d.llmCall(t, id, c, ai)
	if err != nil {
		d.fail(t, fmt.Sprintf("The bot stopped at node %q: %v. Fix the flow and publish it again.", id, err))
		return false
	}
	call.Followup = followup
	resp, err := d.callModel(t, call)
	var value any
	if err == nil && c.JSONSchema != nil && len(resp.ToolCalls) == 0 {
		if value, err = d.jsonAnswer(t, schema, resp.Content); err != nil {
			call.Followup = append(slices.Clone(followup), llm.Message{Role: llm.RoleAssistant, Content: resp.Content},
				llm.Message{Role: llm.RoleUser, Content: askAgain(err)})
			if resp, err = d.callModel(t, call); err == nil {
				value, err = d.jsonAnswer(t, schema, resp.Content)
			}
		}
	}
	if err != nil {
		return d.llmFailed(t, id, c, err)
	}
	t.addSources(resp.Sources)
	if len(resp.ToolCalls) > 0 {
		d.toolCalled(t, id, ai, resp, followup)
		return false
	}
	answer := formatReply(resp.Content, ai.Formatting)
	if c.Reply {
		usage := &store.Usage{Model: call.Request.Model, PromptTokens: resp.Usage.PromptTokens, CompletionTokens: resp.Usage.CompletionTokens}
		d.record(t, store.Message{Role: store.MessageAssistant, Text: answer, Node: id, Usage: usage, Sources: t.sources})
		t.sources = nil
		if isSet(ai.Memory.GenerateTitle) {
			d.wantTitle(call.Request.Model, answer)
		}
	}
	if c.Save != "" {
		if value == nil {
			value = answer
		}
		d.s.Variables[c.Save] = coerce(d.flow.Variable(c.Save).Type, value)
	}
	return true
}

// llmCall builds the request: the merged settings, the rendered
// instruction, working memory, the prompt, the history window, the tools
// and the knowledge to search. It fails on tools that cannot be offered.
func (d *dialog) llmCall(t *turn, id string, c *nodes.LLM, ai nodes.AI) (LLMCall, error) {
	req := llm.ChatRequest{
		Model: ai.Model.ID, Temperature: ai.Model.Temperature, MaxTokens: ai.Model.MaxTokens, TopP: ai.Model.TopP,
		FrequencyPenalty: ai.Model.FrequencyPenalty, PresencePenalty: ai.Model.PresencePenalty, JSONSchema: c.JSONSchema,
	}
	if ai.Instruction != nil {
		req.Messages = append(req.Messages, llm.Message{Role: llm.RoleSystem, Content: d.render(t, ai.Instruction)})
	}
	if isSet(ai.Memory.WorkingMemory) {
		req.Messages = append(req.Messages, llm.Message{Role: llm.RoleSystem, Content: workingMemoryPrompt(d.s.WorkingMemory)})
	}
	history := defaultHistory
	if ai.Memory.LastMessages != nil {
		history = *ai.Memory.LastMessages
	}
	call := LLMCall{
		ProjectID: d.p.ProjectID, DialogID: d.p.DialogID, DialogUUID: d.p.DialogUUID, Node: id, Request: req,
		HistoryLimit: history, Recent: d.unstoredMessages(t),
		Knowledge: c.Knowledge, TopK: c.TopK, MinScore: c.MinScore,
		SemanticRecall:    isSet(ai.Memory.SemanticRecall),
		QuoteWithoutModel: len(c.Knowledge) > 0 && ai.Model.ID == "",
	}
	if call.SemanticRecall {
		call.BotID = d.s.Flow.BotID
		call.UserID, _ = d.p.User["id"].(string) // checked to be a string when the dialog was created
	}
	if c.Prompt != nil {
		call.Prompt = d.render(t, c.Prompt)
	}
	tools, err := d.offeredTools(t, ai)
	call.Request.Tools = tools
	return call, err
}

func isSet(b *bool) bool { return b != nil && *b }

// addSources keeps knowledge chunks for the turn's next answer, each once:
// the same chunk found again after a tool call is not a second source.
func (t *turn) addSources(sources []store.Source) {
	for _, s := range sources {
		if !slices.ContainsFunc(t.sources, func(o store.Source) bool {
			return o.Store == s.Store && o.Document == s.Document && o.Chunk == s.Chunk
		}) {
			t.sources = append(t.sources, s)
		}
	}
}

// workingMemoryPrompt shows the model its working memory.
func workingMemoryPrompt(memory string) string {
	if strings.TrimSpace(memory) == "" {
		memory = "(empty)"
	}
	return "Working memory: facts about this user and conversation that you keep. When you learn something worth remembering, " +
		"call update_working_memory with the whole updated block (Markdown).\n\n" + memory
}

// toolHandoff hands the dialog to operators at an llm node; when they hand
// it back, the node converses again.
func (d *dialog) toolHandoff(t *turn, id string, call llm.ToolCall) {
	var args struct {
		Reason string `json:"reason"`
	}
	_ = json.Unmarshal([]byte(call.Arguments), &args) // a reason the model garbled is no reason
	d.setMode(store.ModeOperator, "")
	d.requestHandoff(t, "", args.Reason)
	d.s.Waiting = &Waiting{Node: id, Kind: "handoff", Since: workflow.Now(t.ctx)}
}

// unstoredMessages are the messages the store may not have yet: those of
// unacknowledged turns and of this turn.
func (d *dialog) unstoredMessages(t *turn) []store.Message {
	var out []store.Message
	for _, b := range d.s.Unstored {
		out = append(out, b.Messages...)
	}
	return append(out, t.msgs...)
}

// callModel runs the CallLLM activity: retried on transient failures (the
// only retries of the call: the provider makes one attempt), with a
// heartbeat while it runs, so a worker that dies mid-call is noticed and
// the call runs again elsewhere. Text streamed by a failed attempt is
// started over by the next (text deltas carry the attempt); the reply is
// sent once, by the workflow, after the activity finished.
func (d *dialog) callModel(t *turn, call LLMCall) (*LLMResult, error) {
	ctx := workflow.WithActivityOptions(t.ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 3 * time.Minute,
		HeartbeatTimeout:    30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumAttempts: 3,
			NonRetryableErrorTypes: []string{ErrLLMNotConfigured}},
	})
	var resp LLMResult
	if err := workflow.ExecuteActivity(ctx, ActivityCallLLM, call).Get(t.ctx, &resp); err != nil {
		return nil, err
	}
	return &resp, nil
}

// llmFailed: an unconfigured model always stops the dialog with a message
// that says what to set; other failures (a balance that cannot pay too)
// follow on_error when there is one.
func (d *dialog) llmFailed(t *turn, id string, c *nodes.LLM, err error) bool {
	if IsErrorType(err, ErrLLMNotConfigured) {
		d.fail(t, fmt.Sprintf("The bot stopped at node %q: no language model is configured. Set PARLEY_LLM_BASE_URL (an OpenAI-compatible endpoint such as https://api.openai.com/v1) and PARLEY_LLM_API_KEY, then restart Parley.", id))
		return false
	}
	d.s.Waiting = nil
	if c.OnError != "" {
		d.run(t, c.OnError)
		return false
	}
	if IsErrorType(err, ErrInsufficientBalance) {
		d.fail(t, fmt.Sprintf("The bot stopped at node %q: the project's balance is used up. Top it up (POST /billing/invoices), or give the node an on_error.", id))
		return false
	}
	d.fail(t, fmt.Sprintf("The bot stopped at node %q: the language model failed: %s.", id, RootMessage(err)))
	return false
}

// mergeAI lays a node's settings over the bot's: every field the node sets wins.
func mergeAI(bot, node nodes.AI) nodes.AI {
	out := bot
	if node.Instruction != nil {
		out.Instruction = node.Instruction
	}
	m, n := &out.Model, node.Model
	if n.ID != "" {
		m.ID = n.ID
	}
	m.Temperature = firstSet(n.Temperature, m.Temperature)
	m.MaxTokens = firstSet(n.MaxTokens, m.MaxTokens)
	m.TopP = firstSet(n.TopP, m.TopP)
	m.FrequencyPenalty = firstSet(n.FrequencyPenalty, m.FrequencyPenalty)
	m.PresencePenalty = firstSet(n.PresencePenalty, m.PresencePenalty)
	out.Memory.LastMessages = firstSet(node.Memory.LastMessages, out.Memory.LastMessages)
	out.Memory.SemanticRecall = firstSet(node.Memory.SemanticRecall, out.Memory.SemanticRecall)
	out.Memory.WorkingMemory = firstSet(node.Memory.WorkingMemory, out.Memory.WorkingMemory)
	out.Memory.GenerateTitle = firstSet(node.Memory.GenerateTitle, out.Memory.GenerateTitle)
	if len(node.Tools) > 0 {
		out.Tools = maps.Clone(bot.Tools)
		if out.Tools == nil {
			out.Tools = map[string]string{}
		}
		maps.Copy(out.Tools, node.Tools)
	}
	out.Formatting.RemoveEmojis = firstSet(node.Formatting.RemoveEmojis, out.Formatting.RemoveEmojis)
	out.Formatting.RemoveMarkdown = firstSet(node.Formatting.RemoveMarkdown, out.Formatting.RemoveMarkdown)
	return out
}

func firstSet[T any](a, b *T) *T {
	if a != nil {
		return a
	}
	return b
}

// jsonAnswer reads a json_schema answer: it must be JSON, and match the
// node's compiled schema (nil when it does not compile in a dialog that
// predates the check).
func (d *dialog) jsonAnswer(t *turn, schema *jsonschema.Schema, content string) (any, error) {
	text := unfence(content)
	var v any
	if err := json.Unmarshal([]byte(text), &v); err != nil {
		return nil, fmt.Errorf("the answer is not JSON: %v", err)
	}
	if schema != nil {
		if err := checkAnswer(schema, text); err != nil && checksJSONSchema(t.ctx) {
			return nil, err
		}
	}
	return v, nil
}

// unfence strips a ```json fence around an answer.
func unfence(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "```json"), "```")
	return strings.TrimSuffix(strings.TrimSpace(s), "```")
}

// askAgain tells the model what was wrong with its JSON answer.
func askAgain(err error) string {
	var m *schemaMismatch
	if errors.As(err, &m) {
		return "That JSON does not match the schema: " + strings.Join(m.issues, "; ") + ". Answer again with JSON only, matching the schema."
	}
	return "That was not valid JSON for the schema: " + err.Error() + ". Answer again with JSON only."
}

var (
	emojiPattern    = regexp.MustCompile(`[\x{1F000}-\x{1FAFF}\x{2600}-\x{27BF}\x{FE0F}\x{200D}]`)
	mdLinkPattern   = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	mdMarkerPattern = regexp.MustCompile("(?m)^\\s{0,3}(#{1,6}\\s+|>\\s?|[-*+]\\s+)|\\*\\*|__|`")
)

// formatReply applies settings.ai.formatting.
func formatReply(s string, f nodes.Formatting) string {
	if f.RemoveEmojis != nil && *f.RemoveEmojis {
		s = emojiPattern.ReplaceAllString(s, "")
	}
	if f.RemoveMarkdown != nil && *f.RemoveMarkdown {
		s = mdLinkPattern.ReplaceAllString(s, "$1")
		s = mdMarkerPattern.ReplaceAllString(s, "")
	}
	return strings.TrimSpace(s)
}
