package worker

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/knowledge"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/store"
)

// answerFromQA answers an llm node's question with the stored answer of
// a Q&A entry of its knowledge whose question is the user's, worded
// however (knowledge.MatchQA over PARLEY_QA_THRESHOLD): no model is
// called and nothing is charged, and the entry is the answer's source.
// nil when no entry matches (the model answers).
func (a *Activities) answerFromQA(ctx context.Context, in engine.LLMCall, question string) (*engine.LLMResult, error) {
	if len(in.Knowledge) == 0 || question == "" || a.Knowledge == nil {
		return nil, nil
	}
	entries, stores, err := a.Knowledge.QAs(ctx, in.ProjectID, in.Knowledge)
	if store.ErrorCode(err) == store.ENOTFOUND {
		return nil, nil // the knowledge search that follows says which store is missing, as it always has
	}
	if err != nil {
		return nil, fmt.Errorf("reading the Q&A entries of node %s's knowledge: %w", in.Node, err)
	}
	best := knowledge.MatchQA(ctx, question, entries, knowledge.QAThreshold())
	if best == nil {
		return nil, nil
	}
	a.publishDelta(ctx, in, best.Answer)
	source := store.Source{Store: stores[best.StoreID], Document: fmt.Sprintf("qa-%d", best.ID), Filename: "Q&A",
		Score: best.Score, Text: best.Question}
	return &engine.LLMResult{ChatResponse: llm.ChatResponse{Content: best.Answer, FinishReason: "stop"},
		Sources: []store.Source{source}}, nil
}
