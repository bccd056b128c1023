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

// BenchmarkMatchQA is the cost Q&A matching adds to an llm turn with
// knowledge: embedding the question and 100 entries' questions.
func BenchmarkMatchQA(b *testing.B) {
	entries := make([]store.QA, 100)
	for i := range entries {
		entries[i] = store.QA{ID: int64(i), Question: fmt.Sprintf("How do I change setting number %d of my account?", i)}
	}
	for b.Loop() {
		MatchQA(b.Context(), "How can I change my account's settings?", entries, DefaultQAThreshold)
	}
}
