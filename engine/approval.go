package engine

import (
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/nodes"
	"github.com/parleyhq/parley/store"
)

// Approval is a tool call waiting for a person's decision.
type Approval struct {
	ID        string
	By        string // "user" or "operator"
	Call      llm.ToolCall
	Assistant llm.Message // the model's message that made the call
	// Followup holds the exchange's earlier tool calls and results, which
	// the model sees again after the decision.
	Followup []llm.Message
}

// ApprovalInput is the argument of the approval update (an operator's decision).
type ApprovalInput struct {
	ID       string
	Approve  bool
	Operator string
}

// UpdateApproval decides a tool call that waits for an operator.
const UpdateApproval = "approval"

// toolCalled runs the tool the model called, or first asks the user or an
// operator when its mode says so (settings.ai.tools). One call is run per
// answer; the model may call another after seeing the result.
func (d *dialog) toolCalled(t *turn, id string, ai nodes.AI, resp *LLMResult, followup []llm.Message) {
	if text := strings.TrimSpace(resp.Content); text != "" {
		d.say(t, store.MessageAssistant, text, nil, id)
	}
	call := resp.ToolCalls[0]
	assistant := llm.Message{Role: llm.RoleAssistant, Content: resp.Content, ToolCalls: []llm.ToolCall{call}}
	if problem := d.toolCallProblem(ai, call); problem != "" && checksToolCalls(t.ctx) {
		d.refuseToolCall(t, id, call, append(slices.Clone(followup), assistant), problem)
		return
	}
	switch mode := toolMode(ai, call.Name); mode {
	case "user_approve", "operator_approve":
		d.s.Approvals++
		a := &Approval{ID: fmt.Sprintf("a%d", d.s.Approvals), By: strings.TrimSuffix(mode, "_approve"), Call: call, Assistant: assistant, Followup: followup}
		d.s.Waiting = &Waiting{Node: id, Kind: "approval", Since: workflow.Now(t.ctx), Approval: a}
		d.askApproval(t, id, a)
	default:
		d.runTool(t, id, call, append(slices.Clone(followup), assistant))
	}
}

// askApproval tells the user (with yes/no buttons) or the operators what
// the model wants to do.
func (d *dialog) askApproval(t *turn, id string, a *Approval) {
	what := describeCall(a.Call)
	if a.By == "user" {
		d.say(t, store.MessageAssistant, fmt.Sprintf("The assistant wants to %s. Is that OK?", what), []string{"Yes", "No"}, id)
		return
	}
	d.say(t, store.MessageSystem, fmt.Sprintf("Waiting for an operator to approve: %s (approval %s).", what, a.ID), nil, id)
}

func describeCall(c llm.ToolCall) string {
	switch c.Name {
	case "handoff":
		return "hand this conversation to a person"
	case "knowledge_search":
		return "search the knowledge base with " + c.Arguments
	case "update_working_memory":
		return "remember: " + c.Arguments
	}
	return fmt.Sprintf("run %s with %s", c.Name, c.Arguments)
}

// userDecides reads the user's yes or no on an approval.
func (d *dialog) userDecides(t *turn, w *Waiting) {
	yes, _, ok := parseYesNo(d.s.Input)
	if !ok {
		d.say(t, store.MessageAssistant, "Please answer yes or no.", []string{"Yes", "No"}, w.Node)
		return
	}
	d.decide(t, w, yes.(bool), "The user")
}

// decide runs an approved call, or tells the model it was refused and
// lets it answer.
func (d *dialog) decide(t *turn, w *Waiting, approve bool, who string) {
	a := w.Approval
	d.s.Waiting = nil
	history := append(slices.Clone(a.Followup), a.Assistant)
	if approve {
		d.runTool(t, w.Node, a.Call, history)
		return
	}
	refused := llm.Message{Role: llm.RoleTool, ToolCallID: a.Call.ID, Content: who + " did not allow this call."}
	d.answerAgain(t, w.Node, append(history, refused))
}

func (d *dialog) validateApproval(ctx workflow.Context, in ApprovalInput) error {
	if err := d.validateLive(ctx); err != nil {
		return err
	}
	w := d.s.Waiting
	if w == nil || w.Kind != "approval" || w.Approval.ID != in.ID || w.Approval.By != "operator" {
		return rejectf(ErrNotFound, "no tool call waits for an operator's approval %q", in.ID)
	}
	return nil
}

func (d *dialog) onApproval(ctx workflow.Context, in ApprovalInput) (TurnResult, error) {
	return d.locked(ctx, func(t *turn) {
		if w := d.s.Waiting; w != nil && w.Kind == "approval" && w.Approval.ID == in.ID {
			d.decide(t, w, in.Approve, "The operator")
		}
	})
}
