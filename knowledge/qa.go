package knowledge

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/store"
)

// Q&A entries (store.QA) answer questions exactly: a user's question
// close enough to an entry's is answered with the entry's answer, without
// a model. Closeness is the cosine of the offline hash embeddings of the
// two questions (HashEmbedder: words and character n-grams), so it needs
// no model call, costs nothing and gives the same figure everywhere.

// EnvQAThreshold sets DefaultQAThreshold's replacement, from 0 to 1.
const EnvQAThreshold = "PARLEY_QA_THRESHOLD"

// DefaultQAThreshold is how close a question must be to an entry's to be
// answered with it: the same question worded a little differently, not
// merely one on the same subject.
const DefaultQAThreshold = 0.85

// QAThreshold is PARLEY_QA_THRESHOLD, or DefaultQAThreshold when it is
// unset or not a number from 0 to 1.
func QAThreshold() float64 {
	if v, err := strconv.ParseFloat(os.Getenv(EnvQAThreshold), 64); err == nil && v > 0 && v <= 1 {
		return v
	}
	return DefaultQAThreshold
}

// ScoredQA is an entry and how well it matches a query.
type ScoredQA struct {
	store.QA
	Score float64
}

var qaEmbedder = NewHashEmbedder(DefaultHashDim)

// RankQA scores entries against a query, best first: the cosine of the
// query and each entry's question; an entry whose question, answer or
// tags hold the query's words (a keyword match) scores at least 0.5.
// Entries scoring under min are left out.
func RankQA(ctx context.Context, query string, entries []store.QA, min float64) []ScoredQA {
	if len(entries) == 0 || strings.TrimSpace(query) == "" {
		return nil
	}
	texts := make([]string, 0, len(entries)+1)
	texts = append(texts, query)
	for _, e := range entries {
		texts = append(texts, e.Question)
	}
	vecs, _ := qaEmbedder.Embed(ctx, texts) // the hash embedder does not fail
	words := strings.Fields(strings.ToLower(query))
	var out []ScoredQA
	for i, e := range entries {
		score := float64(Cosine(vecs[0], vecs[i+1]))
		if keyword(words, e) {
			score = max(score, 0.5)
		}
		if score >= min {
			out = append(out, ScoredQA{QA: e, Score: score})
		}
	}
	slices.SortStableFunc(out, func(a, b ScoredQA) int {
		switch {
		case a.Score > b.Score:
			return -1
		case a.Score < b.Score:
			return 1
		}
		return 0
	})
	return out
}

// keyword reports whether every word is in the entry's question, answer
// or tags.
func keyword(words []string, e store.QA) bool {
	text := strings.ToLower(e.Question + " " + e.Answer + " " + strings.Join(e.Tags, " "))
	for _, w := range words {
		if !strings.Contains(text, w) {
			return false
		}
	}
	return len(words) > 0
}

// MatchQA is the entry whose question is the query's, worded however,
// with its score; nil when none reaches threshold. Keyword matches do not
// count: an exact answer needs the same question.
func MatchQA(ctx context.Context, query string, entries []store.QA, threshold float64) *ScoredQA {
	if len(entries) == 0 || strings.TrimSpace(query) == "" {
		return nil
	}
	texts := []string{query}
	for _, e := range entries {
		texts = append(texts, e.Question)
	}
	vecs, _ := qaEmbedder.Embed(ctx, texts)
	var best *ScoredQA
	for i, e := range entries {
		if score := float64(Cosine(vecs[0], vecs[i+1])); score >= threshold && (best == nil || score > best.Score) {
			best = &ScoredQA{QA: e, Score: score}
		}
	}
	return best
}

// QAs are the Q&A entries of a project's stores, named by name or UUID,
// with the stores' UUIDs by id; an unknown store is an error wrapping
// ENOTFOUND, as in Search.
func (l *Library) QAs(ctx context.Context, projectID int64, stores []string) ([]store.QA, map[int64]string, error) {
	found, err := l.resolve(ctx, projectID, stores)
	if err != nil {
		return nil, nil, err
	}
	ids, uuids := storeIDs(found)
	entries, err := l.Store.QAs(ctx, projectID, ids)
	return entries, uuids, err
}
