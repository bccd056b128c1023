package knowledge

import "context"

// Index keeps embedded chunks and finds those nearest a query. Two
// implementations meet one contract (knowledge/indextest): the embedded
// exact-cosine index in the app database (StoreIndex) and Qdrant
// (QdrantIndex, when PARLEY_QDRANT_URL is set).
type Index interface {
	// Upsert sets the chunks of one document in one vector store: earlier
	// chunks of that (store, document) are replaced, so indexing again
	// never duplicates. Every chunk carries the same ProjectID, StoreID,
	// DocumentID and Embedder, and vectors of the embedder's length.
	Upsert(ctx context.Context, chunks []IndexedChunk) error
	// DeleteDocument removes a document's chunks from one store.
	DeleteDocument(ctx context.Context, projectID, storeID, documentID int64) error
	// DeleteStore removes every chunk of a store.
	DeleteStore(ctx context.Context, projectID, storeID int64) error
	// Search returns the chunks of the query's stores nearest its vector,
	// best first, at most TopK, none scoring below MinScore. Only chunks
	// of the query's project and embedder are considered.
	Search(ctx context.Context, q Query) ([]Hit, error)
}

// IndexedChunk is a chunk with its vector and where it belongs.
type IndexedChunk struct {
	ProjectID  int64
	StoreID    int64
	DocumentID int64
	Seq        int
	Text       string
	Filename   string
	Embedder   string
	Vector     []float32
}

// Query asks an Index for the chunks nearest Vector.
type Query struct {
	ProjectID int64
	StoreIDs  []int64
	Embedder  string
	Vector    []float32
	TopK      int     // 0 means DefaultTopK
	MinScore  float64 // cosine similarity, -1..1
}

// DefaultTopK is how many chunks a search returns unless told.
const DefaultTopK = 4

// Hit is a chunk found by Search, with its cosine similarity to the query.
type Hit struct {
	StoreID    int64
	DocumentID int64
	Seq        int
	Text       string
	Filename   string
	Score      float64
}
