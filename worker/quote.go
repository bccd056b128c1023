package worker

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/llm"
)

// quoteLimit bounds each quoted passage, in characters, and quoteMax how
// many passages an answer quotes.
const (
	quoteLimit = 400
	quoteMax   = 3
)

// quote answers an llm node that may do without a model
// (LLMCall.QuoteWithoutModel) when none is configured: the passages of its
// knowledge that best match the user's message, each labelled as a quote
// of its document, so a bot answers from its documents on a machine with
// no model rather than stopping.
func (a *Activities) quote(ctx context.Context, in engine.LLMCall) (*engine.LLMResult, error) {
	question := in.Prompt
	if question == "" {
		all, err := a.messages(ctx, in)
		if err != nil {
			return nil, err
		}
		question = lastUserText(all)
	}
	res := &engine.LLMResult{}
	if question != "" {
		sources, err := a.search(ctx, in.ProjectID, in.Knowledge, question, in.TopK, in.MinScore)
		if err != nil {
			return nil, modelError(ctx, fmt.Errorf("searching the knowledge for node %s: %w", in.Node, err), maxChatRetryDelay)
		}
		res.Sources = sources[:min(len(sources), quoteMax)]
	}
	var b strings.Builder
	if len(res.Sources) == 0 {
		b.WriteString("I can't write an answer right now (no language model is configured), and I found nothing about that in our documents.")
	} else {
		b.WriteString("I can't write an answer right now (no language model is configured), so here is what our documents say:")
		for _, s := range res.Sources {
			fmt.Fprintf(&b, "\n\nQuote from %s: “%s”", s.Filename, shorten(strings.Join(strings.Fields(s.Text), " "), quoteLimit))
		}
	}
	res.ChatResponse = llm.ChatResponse{Content: b.String(), FinishReason: "stop"}
	return res, nil
}

// shorten cuts s to at most n characters at a word's end, marking the cut.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := string([]rune(s)[:n])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return cut + "…"
}
