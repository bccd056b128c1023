package llmtest

import (
	"encoding/json"
	"hash/fnv"
	"math"
	"net/http"
	"strings"
	"unicode"
)

// Dim is the dimension of the fake's embeddings.
const Dim = 64

// Embedding is the vector the fake returns for text: a unit vector made by
// hashing its lowercased words into Dim buckets, so it is deterministic
// and texts sharing words are close (retrieval tests behave sensibly).
func Embedding(text string) []float32 {
	v := make([]float64, Dim)
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	}) {
		h := fnv.New64a()
		h.Write([]byte(w))
		sum := h.Sum64()
		sign := 1.0
		if sum>>63 == 1 { // a hashed sign keeps collisions from adding up
			sign = -1
		}
		v[sum%Dim] += sign
	}
	var norm float64
	for _, x := range v {
		norm += x * x
	}
	out := make([]float32, Dim)
	if norm == 0 {
		out[0] = 1 // no words: still a unit vector
		return out
	}
	for i, x := range v {
		out[i] = float32(x / math.Sqrt(norm))
	}
	return out
}

// embeddings answers in reverse input order: the API does not promise
// order, so clients must place vectors by "index".
func (s *Server) embeddings(w http.ResponseWriter, r *http.Request) {
	req, ok := s.receive(w, r)
	if !ok {
		return
	}
	if st, ok := s.next(true); ok {
		s.fail(w, st)
		return
	}
	data := make([]any, 0, len(req.Input))
	for i := len(req.Input) - 1; i >= 0; i-- {
		data = append(data, map[string]any{"object": "embedding", "index": i,
			"embedding": Embedding(req.Input[i])})
	}
	n := words(req.Input...)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": req.Model,
		"usage": map[string]any{"prompt_tokens": n, "total_tokens": n}})
}
