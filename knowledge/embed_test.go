package knowledge

import (
	"context"
	"errors"
	"math"
	"testing"
)

func TestHashEmbedderBasics(t *testing.T) {
	for _, dim := range []int{1, 7, 64, DefaultHashDim, 1000} {
		e := NewHashEmbedder(dim)
		if e.Dim() != dim {
			t.Errorf("Dim() = %d, want %d", e.Dim(), dim)
		}
		vecs := embed(t, e, "Opening hours are nine to five.", "", "!!! ...", "Ünïcode wörds 日本語")
		if len(vecs) != 4 {
			t.Fatalf("dim %d: got %d vectors for 4 texts", dim, len(vecs))
		}
		for i, v := range vecs {
			if len(v) != dim {
				t.Errorf("dim %d: vector %d has length %d", dim, i, len(v))
			}
		}
		for _, i := range []int{0, 3} {
			if n := norm(vecs[i]); math.Abs(n-1) > 1e-5 {
				t.Errorf("dim %d: vector %d has norm %v, want 1", dim, i, n)
			}
		}
		for _, i := range []int{1, 2} { // no words
			if n := norm(vecs[i]); n != 0 {
				t.Errorf("dim %d: vector %d of a text without words has norm %v, want 0", dim, i, n)
			}
		}
	}
	if got, want := NewHashEmbedder(512).Name(), "hash-v1-512"; got != want {
		t.Errorf("Name() = %q, want %q", got, want)
	}
	if vecs := embed(t, NewHashEmbedder(8)); len(vecs) != 0 {
		t.Errorf("Embed(no texts) = %v, want none", vecs)
	}
}

func TestHashEmbedderDeterministic(t *testing.T) {
	texts := []string{"Refunds are free within 30 days.", "The cat sat on the mat. The cat sat on the mat."}
	a := embed(t, NewHashEmbedder(256), texts...)
	b := embed(t, NewHashEmbedder(256), texts...)
	for i := range texts {
		for j := range a[i] {
			if a[i][j] != b[i][j] {
				t.Fatalf("text %d, dimension %d: %v then %v", i, j, a[i][j], b[i][j])
			}
		}
	}
	// Case and punctuation do not matter; the same text alone or in a batch
	// gives the same vector.
	c := embed(t, NewHashEmbedder(256), "REFUNDS are free, within 30 days!")
	if s := Cosine(a[0], c[0]); s < 0.9999 {
		t.Errorf("case and punctuation changed the vector: cosine %v", s)
	}
	// A pinned value guards against accidental changes of the algorithm,
	// which would need a new Name.
	v := embed(t, NewHashEmbedder(16), "hello world")[0]
	want := []float32{0.12909944, 0.12909944, -0.12909944, -0.12909944, 0, -0.12909944, 0.6454972, -0.2581989,
		0, 0.12909944, 0.6454972, 0, 0, 0, 0, 0}
	for i := range want {
		if math.Abs(float64(v[i]-want[i])) > 1e-6 {
			t.Fatalf("hash-v1-16 of %q = %v, want %v", "hello world", v, want)
		}
	}
}

func TestHashEmbedderSimilarity(t *testing.T) {
	e := NewHashEmbedder(DefaultHashDim)
	tests := []struct {
		name                   string
		query, similar, unlike string
	}{
		{
			name:    "paraphrase",
			query:   "How do I get a refund for my order?",
			similar: "Refunds for an order are issued within 30 days.",
			unlike:  "Our office is closed on public holidays.",
		},
		{
			name:    "inflections share character 3-grams",
			query:   "delivery delayed",
			similar: "deliveries were delaying",
			unlike:  "password reset",
		},
		{
			name:    "word order matters through bigrams",
			query:   "new york pizza",
			similar: "best new york pizza",
			unlike:  "york best new pizza", // the same words

		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := embed(t, e, tt.query, tt.similar, tt.unlike)
			sim, unl := Cosine(v[0], v[1]), Cosine(v[0], v[2])
			if sim <= unl {
				t.Errorf("cosine(query, similar) = %v, not above cosine(query, unlike) = %v", sim, unl)
			}
		})
	}
}

func TestHashEmbedderContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := NewHashEmbedder(8).Embed(ctx, []string{"text"})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Embed with a cancelled context: %v, want context.Canceled", err)
	}
}

func TestNewHashEmbedderPanics(t *testing.T) {
	for _, dim := range []int{0, -1} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewHashEmbedder(%d) did not panic", dim)
				}
			}()
			NewHashEmbedder(dim)
		}()
	}
}

func TestCosine(t *testing.T) {
	tests := []struct {
		name string
		a, b []float32
		want float32
	}{
		{"identical", []float32{1, 2, 3}, []float32{1, 2, 3}, 1},
		{"scaled", []float32{1, 2, 3}, []float32{2, 4, 6}, 1},
		{"opposite", []float32{1, -1}, []float32{-1, 1}, -1},
		{"orthogonal", []float32{1, 0}, []float32{0, 1}, 0},
		{"45 degrees", []float32{1, 0}, []float32{1, 1}, float32(1 / math.Sqrt2)},
		{"zero vector", []float32{0, 0}, []float32{1, 1}, 0},
		{"different lengths", []float32{1, 2}, []float32{1, 2, 3}, 0},
		{"empty", nil, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Cosine(tt.a, tt.b); math.Abs(float64(got-tt.want)) > 1e-6 {
				t.Errorf("Cosine(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
			}
		})
	}
}

func embed(t *testing.T, e Embedder, texts ...string) [][]float32 {
	t.Helper()
	vecs, err := e.Embed(context.Background(), texts)
	if err != nil {
		t.Fatalf("Embed: %v", err)
	}
	return vecs
}

func norm(v []float32) float64 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}
