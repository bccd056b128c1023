package knowledge

import (
	"context"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

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

// maxCachedQuestions bounds qaVectors: entries' questions are embedded
// once per process, not on every turn, up to this many (about 8 MB).
const maxCachedQuestions = 4096

// qaVectors are the hash embeddings of entries' questions by text. The
// hash embedder gives a text the same vector every time, so a vector
// never goes stale; when the cache is full it is emptied and refills with
// the questions in use.
var qaVectors = struct {
	sync.Mutex
	byText map[string][]float32
}{byText: map[string][]float32{}}

// questionVectors embeds query and the entries' questions, the latter
// from qaVectors where they are.
func questionVectors(ctx context.Context, query string, entries []store.QA) (q []float32, vs [][]float32) {
	vs = make([][]float32, len(entries))
	missing := []string{query}
	qaVectors.Lock()
	for i, e := range entries {
		if v, ok := qaVectors.byText[e.Question]; ok {
			vs[i] = v
		} else {
			missing = append(missing, e.Question)
		}
	}
	qaVectors.Unlock()
	computed, _ := qaEmbedder.Embed(ctx, missing) // the hash embedder does not fail
	qaVectors.Lock()
	defer qaVectors.Unlock()
	if len(qaVectors.byText)+len(missing) > maxCachedQuestions {
		clear(qaVectors.byText)
	}
	next := 1
	for i, e := range entries {
		if vs[i] == nil {
			vs[i] = computed[next]
			qaVectors.byText[e.Question] = computed[next]
			next++
		}
	}
	return computed[0], vs
}

// RankQA scores entries against a query, best first: the cosine of the
// query and each entry's question; an entry whose question, answer or
// tags hold the query's words (a keyword match) scores at least 0.5.
// Entries scoring under min are left out.
func RankQA(ctx context.Context, query string, entries []store.QA, min float64) []ScoredQA {
	if len(entries) == 0 || strings.TrimSpace(query) == "" {
		return nil
	}
	q, vecs := questionVectors(ctx, query, entries)
	words := strings.Fields(strings.ToLower(query))
	var out []ScoredQA
	for i, e := range entries {
		score := float64(Cosine(q, vecs[i]))
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
	q, vecs := questionVectors(ctx, query, entries)
	var best *ScoredQA
	for i, e := range entries {
		if score := float64(Cosine(q, vecs[i])); score >= threshold && (best == nil || score > best.Score) {
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
