package knowledge

import (
	"fmt"
	"testing"

	"github.com/parleyhq/parley/store"
)

var qaEntries = []store.QA{
	{ID: 1, Question: "Как настроить бота?", Answer: "Перейдите в раздел настроек.", Tags: []string{"настройка"}},
	{ID: 2, Question: "What is your refund policy?", Answer: "Thirty days, no questions asked."},
}

// TestMatchQA: the same question worded a little differently matches its
// entry; another question on the same subject does not.
func TestMatchQA(t *testing.T) {
	ctx := t.Context()
	for query, want := range map[string]int64{
		"What is your refund policy?":   2,
		"what is your refund policy":    2,
		"Как настроить бота":            1,
		"Do you sell refund insurance?": 0,
		"":                              0,
	} {
		got := MatchQA(ctx, query, qaEntries, DefaultQAThreshold)
		switch {
		case want == 0 && got != nil:
			t.Errorf("%q matched %d (%.2f)", query, got.ID, got.Score)
		case want != 0 && (got == nil || got.ID != want):
			t.Errorf("%q: %+v, want entry %d", query, got, want)
		}
	}
}

// TestRankQA: keyword matches in the answer or tags are found, best first.
func TestRankQA(t *testing.T) {
	got := RankQA(t.Context(), "настройка", qaEntries, 0.3)
	if len(got) != 1 || got[0].ID != 1 {
		t.Errorf("by tag: %+v", got)
	}
	got = RankQA(t.Context(), "thirty days", qaEntries, 0.3)
	if len(got) != 1 || got[0].ID != 2 {
		t.Errorf("by answer: %+v", got)
	}
	if got := RankQA(t.Context(), "refund policy", qaEntries, 0.99); len(got) != 0 {
		t.Errorf("over the minimum: %+v", got)
	}
}

// TestQuestionVectorsCached: entries' vectors come from the cache on a
// later turn, equal to a fresh embedding, and the cache stays bounded.
func TestQuestionVectorsCached(t *testing.T) {
	ctx := t.Context()
	entries := []store.QA{{Question: "How long does shipping take?"}, {Question: "Can I pay by card?"}}
	_, first := questionVectors(ctx, "shipping", entries)
	q, again := questionVectors(ctx, "card", entries)
	fresh, _ := qaEmbedder.Embed(ctx, []string{"card", entries[0].Question, entries[1].Question})
	for i := range entries {
		if &first[i][0] != &again[i][0] {
			t.Errorf("entry %d embedded again on the second call", i)
		}
		if Cosine(again[i], fresh[i+1]) < 0.9999 {
			t.Errorf("entry %d: the cached vector differs from a fresh one", i)
		}
	}
	if Cosine(q, fresh[0]) < 0.9999 {
		t.Error("the query's vector differs from a fresh one")
	}
	many := make([]store.QA, 300)
	for round := range maxCachedQuestions/len(many) + 2 {
		for i := range many {
			many[i] = store.QA{Question: fmt.Sprintf("question %d of round %d", i, round)}
		}
		questionVectors(ctx, "q", many)
	}
	qaVectors.Lock()
	n := len(qaVectors.byText)
	qaVectors.Unlock()
	if n > maxCachedQuestions {
		t.Errorf("the cache holds %d questions, over its bound of %d", n, maxCachedQuestions)
	}
}

// BenchmarkMatchQA is the cost Q&A matching adds to an llm turn with
// knowledge: embedding the question and scoring 100 entries, whose
// questions' vectors are cached after the first turn.
func BenchmarkMatchQA(b *testing.B) {
	entries := make([]store.QA, 100)
	for i := range entries {
		entries[i] = store.QA{ID: int64(i), Question: fmt.Sprintf("How do I change setting number %d of my account?", i)}
	}
	for b.Loop() {
		MatchQA(b.Context(), "How can I change my account's settings?", entries, DefaultQAThreshold)
	}
}
