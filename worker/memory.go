package worker

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"go.temporal.io/sdk/temporal"

	"parley/engine"
	"parley/knowledge"
	"parley/llm"
	"parley/store"
)

// Semantic recall: how many earlier messages are compared with the user's
// message, how many are recalled, and how alike they must be.
const (
	recallScan     = 200
	recallTop      = 3
	recallMinScore = 0.2
)

// recall finds the user's earlier messages of this dialog, beyond the
// history window of the last inWindow messages, most like question.
// Recall is a help, not a need: when embedding fails it recalls nothing.
func (a *Activities) recall(ctx context.Context, all []store.Message, inWindow int, question string) string {
	var older []string
	for _, m := range all[:len(all)-inWindow] {
		if m.Role == store.MessageUser && strings.TrimSpace(m.Text) != "" {
			older = append(older, m.Text)
		}
	}
	older = older[max(0, len(older)-recallScan):]
	if len(older) == 0 {
		return ""
	}
	vectors, err := a.embedder().Embed(ctx, append([]string{question}, older...))
	if err != nil {
		return ""
	}
	type scored struct {
		text  string
		score float32
	}
	var found []scored
	for i, text := range older {
		if s := knowledge.Cosine(vectors[0], vectors[i+1]); s >= recallMinScore {
			found = append(found, scored{text, s})
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].score > found[j].score })
	if len(found) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("Earlier in this conversation the user said:")
	for _, f := range found[:min(recallTop, len(found))] {
		fmt.Fprintf(&b, "\n- %s", f.text)
	}
	return b.String()
}

// embedder is the knowledge library's embedder, or the local one.
func (a *Activities) embedder() knowledge.Embedder {
	if a.Knowledge != nil && a.Knowledge.Embedder != nil {
		return a.Knowledge.Embedder
	}
	return knowledge.NewHashEmbedder(knowledge.DefaultHashDim)
}

// TitleInstruction is the system message of a title request.
const TitleInstruction = "Write a title of at most six words for this conversation. Answer with the title only, without quotes."

// maxTitle bounds a dialog's title, in runes.
const maxTitle = 80

// GenerateTitle asks the model for a short title of a dialog from its
// first exchange.
func (a *Activities) GenerateTitle(ctx context.Context, in engine.TitleRequest) (string, error) {
	if a.LLM == nil {
		return "", temporal.NewNonRetryableApplicationError("no language model is configured", engine.ErrLLMNotConfigured, nil)
	}
	maxTokens := 24
	resp, err := a.LLM.Chat(ctx, llm.ChatRequest{Model: in.Model, MaxTokens: &maxTokens, Messages: []llm.Message{
		{Role: llm.RoleSystem, Content: TitleInstruction},
		{Role: llm.RoleUser, Content: "User: " + in.Question + "\nAssistant: " + in.Answer},
	}}, nil)
	if err != nil {
		return "", fmt.Errorf("titling dialog %d: %w", in.DialogID, err)
	}
	return cleanTitle(resp.Content), nil
}

func cleanTitle(s string) string {
	s = strings.TrimSpace(strings.SplitN(strings.TrimSpace(s), "\n", 2)[0])
	s = strings.Trim(s, "\"'“”«»*# ")
	s = strings.TrimSuffix(s, ".")
	if utf8.RuneCountInString(s) > maxTitle {
		s = string([]rune(s)[:maxTitle-1]) + "…"
	}
	return s
}
