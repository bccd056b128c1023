package engine

import (
	"encoding/json"
	"slices"

	"go.temporal.io/sdk/workflow"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/nodes"
)

// Tools declared with a block run that block's service. A block with
// wait: false is a plain call (callTool); a block that waits pauses the
// exchange like a block node does: blockLoop calls the service, and its
// complete, its failure or the block's timeout gives the model the result.

// waitingBlockTool returns the block a declared tool runs when that block
// waits for its service to complete.
func (d *dialog) waitingBlockTool(name string) (string, *nodes.Block, bool) {
	def := nodes.FindTool(d.flow, name)
	if def == nil || def.Block == "" {
		return "", nil, false
	}
	b, ok := d.flow.Node(def.Block).Config.(*nodes.Block)
	return def.Block, b, ok && b.Wait
}

// startBlockTool pauses the exchange at the block until its service ends
// the call. history ends with the model's message that made the call.
func (d *dialog) startBlockTool(t *turn, llmNode, blockID string, b *nodes.Block, call llm.ToolCall, history []llm.Message) {
	d.s.Blocks++
	now := workflow.Now(t.ctx)
	d.s.Waiting = &Waiting{Node: blockID, Kind: "block", Since: now, Until: now.Add(b.Timeout), Attempt: d.s.Blocks,
		Tool: &ToolWait{LLMNode: llmNode, Call: call, History: history}}
}

// blockToolDone gives the model the result of a waiting block's tool call
// and lets it answer.
func (d *dialog) blockToolDone(t *turn, w *Waiting, result string) {
	d.s.Waiting = nil
	tool := w.Tool
	d.answerAgain(t, tool.LLMNode, append(slices.Clone(tool.History),
		llm.Message{Role: llm.RoleTool, ToolCallID: tool.Call.ID, Content: result}))
}

// blockToolCompleted is what the model reads of the data a service
// completed the call with: its JSON.
func blockToolCompleted(data any) string {
	if out, err := json.Marshal(data); err == nil && data != nil {
		return string(out)
	}
	return "The tool finished without data."
}

// withArguments puts a tool call's arguments in a block call's payload,
// as {"arguments": {...}}.
func withArguments(call *BlockCall, arguments string) {
	var args any
	if json.Unmarshal([]byte(arguments), &args) != nil {
		return
	}
	if call.Payload == nil {
		call.Payload = map[string]any{}
	}
	call.Payload["arguments"] = args
}
