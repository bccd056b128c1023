package knowledge

import (
	"context"
	"fmt"
	"math"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Embedder maps texts to vectors whose Cosine similarity reflects how alike
// the texts are. Vectors from different embedders (or different Names) are
// not comparable, so stored vectors should be kept with the Name that made
// them.
type Embedder interface {
	// Name identifies the embedder and its settings; it changes whenever
	// the vectors it makes would.
	Name() string
	// Dim is the length of every vector Embed returns.
	Dim() int
	// Embed returns one vector per text, in order.
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// DefaultHashDim is a good dimension for a HashEmbedder: large enough that
// few features of a chunk collide, small enough to store cheaply.
const DefaultHashDim = 512

// Feature weights of HashEmbedder. Word unigrams carry the topic, bigrams
// add phrase matches, and character 3-grams catch inflections and typos;
// there are several 3-grams per word, so each weighs less.
const (
	hashWeightWord    = 1.0
	hashWeightBigram  = 0.5
	hashWeightTrigram = 0.25
)

// HashEmbedder embeds text offline and deterministically by feature
// hashing: each feature (a lowercased word, a pair of adjacent words, or a
// character 3-gram of a word with ^ and $ marking its ends) is hashed with
// 64-bit FNV-1a to a dimension (low 32 bits modulo Dim) and a sign (the top
// bit); a feature seen n times adds weight*(1+ln n). The vector is then L2
// normalised. A text without words gives the zero vector.
//
// The output for a given Name never changes; a change to the algorithm
// must change Name. A HashEmbedder is safe for concurrent use.
type HashEmbedder struct {
	dim int
}

var _ Embedder = (*HashEmbedder)(nil)

// NewHashEmbedder returns a HashEmbedder making vectors of dim dimensions
// (see DefaultHashDim). It panics if dim < 1.
func NewHashEmbedder(dim int) *HashEmbedder {
	if dim < 1 {
		panic(fmt.Sprintf("knowledge: NewHashEmbedder: dim must be >= 1, got %d", dim))
	}
	return &HashEmbedder{dim: dim}
}

// Name returns "hash-v1-<dim>".
func (h *HashEmbedder) Name() string { return fmt.Sprintf("hash-v1-%d", h.dim) }

// Dim returns the vector length.
func (h *HashEmbedder) Dim() int { return h.dim }

// Embed returns the vector of each text. It fails only when ctx is done.
func (h *HashEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out[i] = h.embed(t)
	}
	return out, nil
}

// Feature kinds, hashed in first so that a word and a 3-gram with the same
// letters are different features.
const (
	featWord    byte = 'w'
	featBigram  byte = 'b'
	featTrigram byte = 'c'
)

func (h *HashEmbedder) embed(text string) []float32 {
	words := hashWords(text)
	type feature struct{ n, weight float64 }
	feats := make(map[uint64]feature, 8*len(words))
	var order []uint64 // first-seen order, so float sums are reproducible
	add := func(f uint64, w float64) {
		ft, seen := feats[f]
		if !seen {
			order = append(order, f)
		}
		feats[f] = feature{n: ft.n + 1, weight: w}
	}
	for i, w := range words {
		add(fnvString(fnvByte(fnvOffset, featWord), w), hashWeightWord)
		if i > 0 {
			f := fnvString(fnvByte(fnvOffset, featBigram), words[i-1])
			f = fnvString(fnvByte(f, ' '), w)
			add(f, hashWeightBigram)
		}
		rs := make([]rune, 0, len(w)+2)
		rs = append(rs, '^')
		rs = append(rs, []rune(w)...)
		rs = append(rs, '$')
		for j := 0; j+3 <= len(rs); j++ {
			f := fnvByte(fnvOffset, featTrigram)
			for _, r := range rs[j : j+3] {
				f = fnvRune(f, r)
			}
			add(f, hashWeightTrigram)
		}
	}
	acc := make([]float64, h.dim)
	for _, f := range order {
		ft := feats[f]
		// The explicit float64 conversions round each product, so that no
		// platform fuses multiply and add and gets different last bits.
		v := float64(ft.weight * (1 + math.Log(ft.n)))
		if f>>63 == 1 {
			v = -v
		}
		acc[uint64(uint32(f))%uint64(h.dim)] += v
	}
	var norm float64
	for _, v := range acc {
		norm += float64(v * v)
	}
	vec := make([]float32, h.dim)
	if norm == 0 {
		return vec
	}
	norm = math.Sqrt(norm)
	for i, v := range acc {
		vec[i] = float32(v / norm)
	}
	return vec
}

// hashWords returns the lowercased words of text: runs of letters, marks
// and digits.
func hashWords(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r)
	})
}

const (
	fnvOffset uint64 = 14695981039346656037
	fnvPrime  uint64 = 1099511628211
)

func fnvByte(h uint64, b byte) uint64 { return (h ^ uint64(b)) * fnvPrime }

func fnvString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = fnvByte(h, s[i])
	}
	return h
}

func fnvRune(h uint64, r rune) uint64 {
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	for _, b := range buf[:n] {
		h = fnvByte(h, b)
	}
	return h
}

// Cosine returns the cosine similarity of a and b, in [-1, 1]. It returns 0
// when the lengths differ or either vector is all zeros.
func Cosine(a, b []float32) float32 {
	if len(a) != len(b) {
		return 0
	}
	var dot, na, nb float64
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		dot += x * y
		na += x * x
		nb += y * y
	}
	if na == 0 || nb == 0 {
		return 0
	}
	c := dot / (math.Sqrt(na) * math.Sqrt(nb))
	return float32(max(-1, min(1, c)))
}
