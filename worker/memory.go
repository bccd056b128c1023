package worker

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"go.temporal.io/sdk/temporal"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/knowledge"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/store"
)

// Semantic recall: how many earlier messages (of this dialog, and of the
// user's earlier dialogs) are compared with the user's message, how many
// are recalled, and how alike they must be.
const (
	recallScan     = 200
	recallTop      = 3
	recallMinScore = 0.2
)

// recall finds what the user said before that is most like question:
// their messages of this dialog beyond the history window of the last
// inWindow messages, and of their earlier dialogs with the bot (dialogs
// with the same user.id). Recall is a help, not a need: when embedding or
// reading fails it recalls nothing.
func (a *Activities) recall(ctx context.Context, in engine.LLMCall, all []store.Message, inWindow int, question string) string {
	var said []recalled
	for _, m := range all[:len(all)-inWindow] {
		if m.Role == store.MessageUser && strings.TrimSpace(m.Text) != "" {
			said = append(said, recalled{text: m.Text})
		}
	}
	said = said[max(0, len(said)-recallScan):]
	for _, m := range a.pastMessages(ctx, in) {
		if strings.TrimSpace(m.Text) != "" {
			said = append(said, recalled{text: m.Text, past: true})
		}
	}
	if len(said) == 0 {
		return ""
	}
	texts := []string{question}
	for _, r := range said {
		texts = append(texts, r.text)
	}
	vectors, err := a.embedder().Embed(ctx, texts)
	if err != nil {
		return ""
	}
	var found []recalled
	for i, r := range said {
		if r.score = knowledge.Cosine(vectors[0], vectors[i+1]); r.score >= recallMinScore {
			found = append(found, r)
		}
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].score > found[j].score })
	return recallPrompt(found[:min(recallTop, len(found))])
}

// recalled is something the user said before.
type recalled struct {
	text  string
	past  bool // in an earlier dialog
	score float32
}

// pastMessages are the user's messages in their earlier dialogs with the
// bot, newest first; none when the dialog has no user.id.
func (a *Activities) pastMessages(ctx context.Context, in engine.LLMCall) []store.Message {
	if in.UserID == "" {
		return nil
	}
	msgs, err := a.Store.UserMessages(ctx, in.ProjectID, in.BotID, in.UserID, in.DialogID, recallScan)
	if err != nil {
		return nil
	}
	return msgs
}

// recallPrompt tells the model what the user said before, most alike
// first, saying which conversation it was in.
func recallPrompt(found []recalled) string {
	var now, past []string
	for _, r := range found {
		if r.past {
			past = append(past, r.text)
		} else {
			now = append(now, r.text)
		}
	}
	var b strings.Builder
	for _, group := range []struct {
		title string
		texts []string
	}{{"Earlier in this conversation the user said:", now}, {"In earlier conversations the user said:", past}} {
		if len(group.texts) == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString(group.title)
		for _, text := range group.texts {
			fmt.Fprintf(&b, "\n- %s", text)
		}
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
	if a.model(ctx) == nil {
		return "", temporal.NewNonRetryableApplicationError("no language model is configured", engine.ErrLLMNotConfigured, nil)
	}
	if err := a.payable(ctx, in.ProjectID); err != nil {
		return "", err
	}
	maxTokens := 24
	resp, err := a.chat(ctx, llm.ChatRequest{Model: in.Model, MaxTokens: &maxTokens, Messages: []llm.Message{
		{Role: llm.RoleSystem, Content: TitleInstruction},
		{Role: llm.RoleUser, Content: "User: " + in.Question + "\nAssistant: " + in.Answer},
	}}, nil)
	if err != nil {
		return "", modelError(ctx, fmt.Errorf("titling dialog %d: %w", in.DialogID, err), maxChatRetryDelay)
	}
	if err := a.charge(ctx, in.ProjectID, in.Model, resp.Usage, "dialog title"); err != nil {
		return "", err
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
