package engine

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/nodes"
)

// maxToolRounds bounds the tool calls of one exchange, so a model that
// keeps calling tools cannot loop forever.
const maxToolRounds = 8

// Built-in tools.
var (
	handoffTool = llm.Tool{
		Name:        "handoff",
		Description: "Hand the conversation to a human operator when the user asks for a person or you cannot help.",
		Parameters:  json.RawMessage(`{"type":"object","properties":{"reason":{"type":"string","description":"Why a person is needed."}}}`),
	}
	knowledgeSearchTool = llm.Tool{
		Name:        "knowledge_search",
		Description: "Search the knowledge base for passages that answer a question. Use it before answering questions about the product, policies or documents.",
		Parameters:  json.RawMessage(`{"type":"object","properties":{"query":{"type":"string","description":"What to look for, as a question or keywords."}},"required":["query"]}`),
	}
	workingMemoryTool = llm.Tool{
		Name:        "update_working_memory",
		Description: "Replace your working memory about this user and conversation with an updated Markdown block of facts.",
		Parameters:  json.RawMessage(`{"type":"object","properties":{"memory":{"type":"string","description":"The whole updated block, in Markdown."}},"required":["memory"]}`),
	}
	builtinTools = map[string]llm.Tool{"handoff": handoffTool, "knowledge_search": knowledgeSearchTool, "update_working_memory": workingMemoryTool}
)

// toolMode is who approves a call of a tool: settings.ai.tools, or auto for
// the working memory tool that workingMemory.enabled turns on.
func toolMode(ai nodes.AI, name string) string {
	if m := ai.Tools[name]; m != "" {
		return m
	}
	return "auto"
}

// versionToolParameters is the change that stops a dialog whose declared
// tool parameters cannot be encoded as JSON; before it, such a tool was
// offered without parameters.
const versionToolParameters = "tool-parameters-json"

// offeredTools are the tools the model may call: those settings.ai.tools
// names, and update_working_memory when working memory is on. Parameters
// that cannot be encoded as JSON (a YAML .nan or .inf) are an error of the
// flow.
func (d *dialog) offeredTools(t *turn, ai nodes.AI) ([]llm.Tool, error) {
	names := offeredNames(ai)
	declared := nodes.ToolDefs(d.flow) // decoded once per call, not once per tool
	var out []llm.Tool
	for _, name := range names {
		if tool, ok := builtinTools[name]; ok {
			out = append(out, tool)
			continue
		}
		for _, def := range declared {
			if def.Name != name {
				continue
			}
			// GetVersion only here, where the change alters what happens, so
			// other histories stay as they were.
			params, err := json.Marshal(def.Parameters)
			if err != nil && workflow.GetVersion(t.ctx, versionToolParameters, workflow.DefaultVersion, 1) >= 1 {
				return nil, fmt.Errorf("the parameters of tool %q cannot be sent to the model as JSON (%v)", name, err)
			}
			out = append(out, llm.Tool{Name: def.Name, Description: def.Description, Parameters: params})
		}
	}
	return out, nil
}

// runTool runs a tool call and gives the result back to the model, which
// then answers (or calls another tool). history ends with the model's
// message that made the call.
func (d *dialog) runTool(t *turn, id string, call llm.ToolCall, history []llm.Message) {
	if rounds(history) > maxToolRounds {
		d.fail(t, fmt.Sprintf("The bot stopped at node %q: the model called tools %d times without answering.", id, maxToolRounds))
		return
	}
	var result string
	switch call.Name {
	case "handoff":
		d.toolHandoff(t, id, call)
		return
	case "update_working_memory":
		result = d.updateWorkingMemory(call)
	default:
		if blockID, b, ok := d.waitingBlockTool(call.Name); ok {
			d.startBlockTool(t, id, blockID, b, call, history)
			return
		}
		r, ok := d.callTool(t, id, call)
		if !ok {
			return
		}
		result = r
	}
	d.answerAgain(t, id, append(history, llm.Message{Role: llm.RoleTool, ToolCallID: call.ID, Content: result}))
}

func rounds(history []llm.Message) int {
	n := 0
	for _, m := range history {
		if m.Role == llm.RoleTool {
			n++
		}
	}
	return n
}

// updateWorkingMemory replaces the dialog's working memory.
func (d *dialog) updateWorkingMemory(call llm.ToolCall) string {
	var args struct {
		Memory *string `json:"memory"`
	}
	if err := json.Unmarshal([]byte(call.Arguments), &args); err != nil || args.Memory == nil {
		return `The call was not understood: pass {"memory": "<the whole updated block>"}.`
	}
	d.s.WorkingMemory = strings.TrimSpace(*args.Memory)
	return "Working memory saved."
}

// callTool runs knowledge_search or a tool declared in the flow (a url,
// or a block with wait: false) in the CallTool activity. A failing tool is
// a result the model reads (it can apologise or try otherwise), not a
// failed dialog; a model calling a tool that does not exist stops the
// dialog.
func (d *dialog) callTool(t *turn, id string, call llm.ToolCall) (string, bool) {
	in := ToolCallInput{ProjectID: d.p.ProjectID, DialogID: d.p.DialogID, DialogUUID: d.p.DialogUUID, Node: id, Tool: call.Name, CallID: call.ID, Arguments: call.Arguments}
	timeout := 30 * time.Second
	switch def := nodes.FindTool(d.flow, call.Name); {
	case call.Name == "knowledge_search":
		c := d.llmConfig(id)
		in.Stores, in.TopK, in.MinScore = c.Knowledge, c.TopK, c.MinScore
	case def != nil && def.URL != "":
		in.URL = def.URL
	case def != nil && def.Block != "":
		b := d.flow.Node(def.Block).Config.(*nodes.Block)
		d.s.Blocks++
		now := workflow.Now(t.ctx)
		w := &Waiting{Node: def.Block, Kind: "call", Since: now, Until: now.Add(b.Timeout), Attempt: d.s.Blocks}
		bc := d.blockCall(t.ctx, w, b)
		withArguments(&bc, call.Arguments)
		in.Block, timeout = &bc, b.Timeout
	default:
		d.fail(t, fmt.Sprintf("The bot stopped at node %q: the model called an unknown tool %q.", id, call.Name))
		return "", false
	}
	ctx := workflow.WithActivityOptions(t.ctx, workflow.ActivityOptions{
		StartToCloseTimeout: timeout + 5*time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumAttempts: 3,
			NonRetryableErrorTypes: []string{ErrBlockRejected}},
	})
	var r ToolResult
	if err := workflow.ExecuteActivity(ctx, ActivityCallTool, in).Get(t.ctx, &r); err != nil {
		return fmt.Sprintf("The tool %s failed: %s", call.Name, RootMessage(err)), true
	}
	t.addSources(r.Sources)
	return r.Content, true
}
