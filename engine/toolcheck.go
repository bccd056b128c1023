package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.temporal.io/sdk/workflow"

	"github.com/parleyhq/parley/flows"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/nodes"
)

// A model's output is data: a document it read, or a user, may have told
// it to call anything with anything. So a tool call runs only when the
// node offered that tool and the arguments match the tool's parameters;
// otherwise the model is told what was wrong and answers again, and
// nothing runs.

// versionToolChecks is the change that checks tool calls before they run;
// before it, a tool the flow declared ran even when the node did not offer
// it, with whatever arguments the model gave.
const versionToolChecks = "tool-call-checks"

// offeredNames are the names of the tools offered to the model: those
// settings.ai.tools names, and update_working_memory when working memory
// is on (see offeredTools).
func offeredNames(ai nodes.AI) []string {
	names := slices.Sorted(maps.Keys(ai.Tools)) // sorted: no map ranging in workflow code
	if isSet(ai.Memory.WorkingMemory) && ai.Tools["update_working_memory"] == "" {
		names = append(names, "update_working_memory")
	}
	return names
}

// toolCallProblem says why call may not run, or "" when it may.
func (d *dialog) toolCallProblem(ai nodes.AI, call llm.ToolCall) string {
	offered := offeredNames(ai)
	if !slices.Contains(offered, call.Name) {
		if len(offered) == 0 {
			return fmt.Sprintf("There is no tool %q here, and no tool at all: answer without one.", call.Name)
		}
		return fmt.Sprintf("There is no tool %q here; the tools are %s.", call.Name, strings.Join(offered, ", "))
	}
	schema := d.toolSchema(call.Name)
	if schema == nil {
		return ""
	}
	args := call.Arguments
	if strings.TrimSpace(args) == "" {
		args = "{}"
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(args))
	if err != nil {
		return fmt.Sprintf("The arguments of %s are not JSON (%v); call it again with a JSON object.", call.Name, err)
	}
	var verr *jsonschema.ValidationError
	if errors.As(schema.Validate(doc), &verr) {
		return fmt.Sprintf("The arguments of %s do not match its parameters: %s. Call it again with arguments that do.",
			call.Name, strings.Join(issues(verr), "; "))
	}
	return ""
}

// refuseToolCall tells the model why its call did not run and lets it
// answer again; the refusal counts as a round of tools.
func (d *dialog) refuseToolCall(t *turn, id string, call llm.ToolCall, history []llm.Message, problem string) {
	if rounds(history) >= maxToolRounds {
		d.fail(t, fmt.Sprintf("The bot stopped at node %q: the model called tools %d times without answering.", id, maxToolRounds))
		return
	}
	d.answerAgain(t, id, append(history, llm.Message{Role: llm.RoleTool, ToolCallID: call.ID, Content: problem}))
}

// checksToolCalls reports whether this dialog checks tool calls. Called
// only when a check fails, so the histories of dialogs whose calls all
// pass stay as they were.
func checksToolCalls(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, versionToolChecks, workflow.DefaultVersion, 1) >= 1
}

// toolSchemas are the compiled parameters of tools, by flow (nil for the
// built-in tools) and name: compiled once per loaded flow, not per call.
var toolSchemas = struct {
	sync.Mutex
	byTool map[toolKey]*jsonschema.Schema
}{byTool: map[toolKey]*jsonschema.Schema{}}

type toolKey struct {
	flow *flows.Flow
	name string
}

// toolSchema is the compiled JSON Schema of a tool's parameters, or nil
// when it has none or they do not compile (they were offered as they are,
// and the model is not held to what cannot be checked).
func (d *dialog) toolSchema(name string) *jsonschema.Schema {
	key := toolKey{d.flow, name}
	var params map[string]any
	if tool, ok := builtinTools[name]; ok {
		key.flow = nil
		if err := json.Unmarshal(tool.Parameters, &params); err != nil {
			return nil
		}
	} else if def := nodes.FindTool(d.flow, name); def != nil {
		params = def.Parameters
	}
	toolSchemas.Lock()
	defer toolSchemas.Unlock()
	if s, ok := toolSchemas.byTool[key]; ok {
		return s
	}
	if len(toolSchemas.byTool) >= maxCachedFlows {
		clear(toolSchemas.byTool) // flows dropped from flowCache are never asked for again
	}
	var schema *jsonschema.Schema
	if params != nil {
		schema, _ = compileSchema(params)
	}
	toolSchemas.byTool[key] = schema
	return schema
}
