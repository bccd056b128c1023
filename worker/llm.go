package worker

import (
	"context"
	"fmt"
	"slices"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"parley/engine"
	"parley/llm"
	"parley/store"
)

// CallLLM asks the model: the system instruction, the dialog's last
// messages, then the prompt. It heartbeats while the answer streams.
func (a *Activities) CallLLM(ctx context.Context, in engine.LLMCall) (*llm.ChatResponse, error) {
	if a.LLM == nil {
		return nil, temporal.NewNonRetryableApplicationError("no language model is configured", engine.ErrLLMNotConfigured, nil)
	}
	history, err := a.history(ctx, in)
	if err != nil {
		return nil, err
	}
	req := in.Request
	req.Messages = append(slices.Clone(req.Messages), history...)
	if in.Prompt != "" {
		req.Messages = append(req.Messages, llm.Message{Role: llm.RoleUser, Content: in.Prompt})
	}
	req.Messages = append(req.Messages, in.Followup...)
	resp, err := a.LLM.Chat(ctx, req, func(string) { activity.RecordHeartbeat(ctx) })
	if err != nil {
		return nil, fmt.Errorf("asking the model for node %s: %w", in.Node, err)
	}
	return resp, nil
}

// history is the dialog's last messages as chat messages: the stored ones
// merged with those the workflow has not stored yet, by sequence number.
func (a *Activities) history(ctx context.Context, in engine.LLMCall) ([]llm.Message, error) {
	if in.HistoryLimit <= 0 {
		return nil, nil
	}
	stored, err := a.Store.Messages(ctx, in.DialogID)
	if err != nil {
		return nil, fmt.Errorf("reading the dialog's messages: %w", err)
	}
	bySeq := map[int64]store.Message{}
	for _, m := range append(stored, in.Recent...) {
		bySeq[m.Seq] = m
	}
	seqs := make([]int64, 0, len(bySeq))
	for s := range bySeq {
		seqs = append(seqs, s)
	}
	slices.Sort(seqs)
	var out []llm.Message
	for _, s := range seqs {
		if m := bySeq[s]; m.Role != store.MessageSystem {
			out = append(out, chatMessage(m))
		}
	}
	return out[max(0, len(out)-in.HistoryLimit):], nil
}

// chatMessage maps a dialog message to the model's roles; an operator
// spoke for the bot, so the model sees it as its own side.
func chatMessage(m store.Message) llm.Message {
	if m.Role == store.MessageUser {
		return llm.Message{Role: llm.RoleUser, Content: m.Text}
	}
	return llm.Message{Role: llm.RoleAssistant, Content: m.Text}
}
