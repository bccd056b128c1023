package worker

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/metrics"
	"github.com/parleyhq/parley/store"
)

// CallLLM asks the model: the system instruction, knowledge found for the
// user's message, recalled earlier messages, the dialog's last messages,
// then the prompt. It heartbeats while it runs and publishes each piece of
// the answer's text on the bus as it streams.
func (a *Activities) CallLLM(ctx context.Context, in engine.LLMCall) (*engine.LLMResult, error) {
	model := a.model(ctx)
	if model == nil && !in.QuoteWithoutModel {
		return nil, temporal.NewNonRetryableApplicationError("no language model is configured", engine.ErrLLMNotConfigured, nil)
	}
	defer keepAlive(ctx)()
	all, err := a.messages(ctx, in)
	if err != nil {
		return nil, err
	}
	question := in.Prompt
	if question == "" {
		question = lastUserText(all)
	}
	if res, err := a.answerFromQA(ctx, in, question); res != nil || err != nil {
		return res, err
	}
	if model == nil {
		return a.quote(ctx, in)
	}
	if err := a.payable(ctx, in.ProjectID); err != nil {
		return nil, err
	}
	history := window(all, in.HistoryLimit)
	req := in.Request
	req.Messages = slices.Clone(req.Messages)
	var sources []store.Source
	if len(in.Knowledge) > 0 && question != "" {
		if sources, err = a.search(ctx, in.ProjectID, in.Knowledge, question, in.TopK, in.MinScore); err != nil {
			return nil, modelError(ctx, fmt.Errorf("searching the knowledge for node %s: %w", in.Node, err), maxChatRetryDelay)
		}
		req.Messages = append(req.Messages, llm.Message{Role: llm.RoleSystem, Content: knowledgePrompt(sources)})
	}
	if in.SemanticRecall && question != "" {
		if recalled := a.recall(ctx, in, all, len(history), question); recalled != "" {
			req.Messages = append(req.Messages, llm.Message{Role: llm.RoleSystem, Content: recalled})
		}
	}
	req.Messages = append(req.Messages, chatMessages(history)...)
	if in.Prompt != "" {
		req.Messages = append(req.Messages, llm.Message{Role: llm.RoleUser, Content: in.Prompt})
	}
	req.Messages = append(req.Messages, in.Followup...)
	resp, err := a.chat(ctx, req, func(d string) { a.publishDelta(ctx, in, d) })
	if err != nil {
		return nil, modelError(ctx, fmt.Errorf("asking the model for node %s: %w", in.Node, err), maxChatRetryDelay)
	}
	if err := a.charge(ctx, in.ProjectID, req.Model, resp.Usage, "node "+in.Node); err != nil {
		return nil, err
	}
	return &engine.LLMResult{ChatResponse: *resp, Sources: sources}, nil
}

// knowledgePrompt gives the model what the knowledge bases hold about the
// user's message.
func knowledgePrompt(sources []store.Source) string {
	if len(sources) == 0 {
		return "The knowledge base has nothing on this question. Say so rather than guess."
	}
	return "Answer from these excerpts of the knowledge base when they are relevant; say so when they do not answer the question.\n\n" + excerpts(sources)
}

// messages are the dialog's messages: the stored ones merged with those
// the workflow has not stored yet, by sequence number.
func (a *Activities) messages(ctx context.Context, in engine.LLMCall) ([]store.Message, error) {
	if in.HistoryLimit <= 0 && !in.SemanticRecall && in.Prompt != "" {
		return nil, nil
	}
	stored, err := a.Store.Messages(ctx, in.DialogID)
	if err != nil {
		return nil, fmt.Errorf("reading the dialog's messages: %w", err)
	}
	bySeq := map[int64]store.Message{}
	for _, m := range append(stored, in.Recent...) {
		if m.Role != store.MessageSystem {
			bySeq[m.Seq] = m
		}
	}
	out := make([]store.Message, 0, len(bySeq))
	for _, seq := range slices.Sorted(maps.Keys(bySeq)) {
		out = append(out, bySeq[seq])
	}
	return out, nil
}

// window is the last n messages.
func window(msgs []store.Message, n int) []store.Message {
	if n <= 0 {
		return nil
	}
	return msgs[max(0, len(msgs)-n):]
}

func chatMessages(msgs []store.Message) []llm.Message {
	out := make([]llm.Message, len(msgs))
	for i, m := range msgs {
		out[i] = chatMessage(m)
	}
	return out
}

func lastUserText(msgs []store.Message) string {
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Role == store.MessageUser {
			return msgs[i].Text
		}
	}
	return ""
}

// chatMessage maps a dialog message to the model's roles; an operator
// spoke for the bot, so the model sees it as its own side.
func chatMessage(m store.Message) llm.Message {
	if m.Role == store.MessageUser {
		return llm.Message{Role: llm.RoleUser, Content: m.Text}
	}
	return llm.Message{Role: llm.RoleAssistant, Content: m.Text}
}

// chat asks the model once and records the call and its tokens.
func (a *Activities) chat(ctx context.Context, req llm.ChatRequest, onDelta func(string)) (*llm.ChatResponse, error) {
	start := time.Now()
	resp, err := a.LLM.Chat(ctx, req, onDelta)
	took := time.Since(start)
	if err != nil {
		a.Metrics.LLMCall(req.Model, callOutcome(modelError(ctx, err, maxChatRetryDelay)), took, 0, 0)
		return nil, err
	}
	a.Metrics.LLMCall(req.Model, metrics.OutcomeOK, took, resp.Usage.PromptTokens, resp.Usage.CompletionTokens)
	return resp, nil
}
