package knowledge

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"

	"github.com/parleyhq/parley/llm"
)

// DefaultEmbeddingModel is the model asked for embeddings when a provider
// is configured and PARLEY_EMBEDDING_MODEL is not set.
const DefaultEmbeddingModel = "text-embedding-3-small"

// ModelEmbedder embeds with a provider's /embeddings endpoint.
type ModelEmbedder struct {
	Provider llm.Provider
	Model    string
	dim      atomic.Int64 // learned from the first answer
}

// Name identifies the model; vectors of two models never mix.
func (m *ModelEmbedder) Name() string { return "model:" + m.Model }

// Dim is the vector length, known after the first call (0 before).
func (m *ModelEmbedder) Dim() int { return int(m.dim.Load()) }

// Embed asks the provider for one vector per text.
func (m *ModelEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	vectors, err := m.Provider.Embed(ctx, m.Model, texts)
	if err != nil {
		return nil, err
	}
	if len(vectors) != len(texts) {
		return nil, fmt.Errorf("the model %s returned %d embeddings for %d texts", m.Model, len(vectors), len(texts))
	}
	if len(vectors) > 0 {
		m.dim.Store(int64(len(vectors[0])))
	}
	return vectors, nil
}

// EmbedderFromEnv chooses how documents are embedded: the local
// HashEmbedder when no provider is configured or PARLEY_EMBEDDING_MODEL is
// "hash" (for providers without /embeddings, such as most chat-only
// gateways), else the provider with PARLEY_EMBEDDING_MODEL (default
// DefaultEmbeddingModel).
func EmbedderFromEnv(p llm.Provider) Embedder {
	model := os.Getenv("PARLEY_EMBEDDING_MODEL")
	if p == nil || model == "hash" {
		return NewHashEmbedder(DefaultHashDim)
	}
	if model == "" {
		model = DefaultEmbeddingModel
	}
	return &ModelEmbedder{Provider: p, Model: model}
}
