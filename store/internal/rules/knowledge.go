package rules

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"

	"github.com/parleyhq/parley/store"
)

// Knowledge UUIDs: a prefix and 24 base62 characters, as OpenAI shapes
// the ids of files and vector stores.
const (
	DocumentUUIDPrefix    = "file-"
	VectorStoreUUIDPrefix = "vs_"
	knowledgeUUIDLen      = 24
)

// The knowledge errors the store returns, worded once.
var (
	ErrDocumentUUIDUsed    = store.Errorf(store.ECONFLICT, "A document with this UUID already exists.")
	ErrVectorStoreUUIDUsed = store.Errorf(store.ECONFLICT, "A vector store with this UUID already exists.")
	ErrVectorStoreNameUsed = store.Errorf(store.ECONFLICT, "A vector store with this name already exists in the project.")
)

// knowledgeUUID returns u cleaned, or a new prefix+base62 UUID if u is
// empty.
func knowledgeUUID(prefix, u string) (string, error) {
	if u != "" {
		return Clean(u), nil
	}
	s, err := store.RandomBase62(knowledgeUUIDLen)
	if err != nil {
		return "", err
	}
	return prefix + s, nil
}

// Document returns the record CreateDocument stores for d: its fields as
// stored, with a UUID, and nothing else the store fills in (ID,
// CreatedAt). EINVALID as File for the name, MIME type, size and SHA256.
func Document(d store.Document) (store.Document, error) {
	f, err := File(store.File{Name: d.Name, MIMEType: d.MIMEType, Size: d.Size, SHA256: d.SHA256})
	if err != nil {
		return store.Document{}, err
	}
	uuid, err := knowledgeUUID(DocumentUUIDPrefix, d.UUID)
	if err != nil {
		return store.Document{}, fmt.Errorf("generating document UUID: %w", err)
	}
	return store.Document{UUID: uuid, ProjectID: d.ProjectID, Name: f.Name, MIMEType: f.MIMEType,
		Size: f.Size, SHA256: f.SHA256, Purpose: Clean(d.Purpose)}, nil
}

// VectorStore returns the record CreateVectorStore stores for v: its
// fields as stored, with a UUID and status ready, an empty embedder and
// nothing else the store fills in (ID, times). EINVALID for a negative
// ChunkSize or ChunkOverlap, or an overlap not below a non-zero size.
func VectorStore(v store.VectorStore) (store.VectorStore, error) {
	switch {
	case v.ChunkSize < 0:
		return store.VectorStore{}, store.Errorf(store.EINVALID, "A chunk size cannot be negative.")
	case v.ChunkOverlap < 0:
		return store.VectorStore{}, store.Errorf(store.EINVALID, "A chunk overlap cannot be negative.")
	case v.ChunkSize > 0 && v.ChunkOverlap >= v.ChunkSize:
		return store.VectorStore{}, store.Errorf(store.EINVALID, "The chunk overlap (%d) must be below the chunk size (%d).",
			v.ChunkOverlap, v.ChunkSize)
	}
	uuid, err := knowledgeUUID(VectorStoreUUIDPrefix, v.UUID)
	if err != nil {
		return store.VectorStore{}, fmt.Errorf("generating vector store UUID: %w", err)
	}
	return store.VectorStore{UUID: uuid, ProjectID: v.ProjectID, Name: Clean(v.Name),
		ChunkSize: v.ChunkSize, ChunkOverlap: v.ChunkOverlap, Status: store.VectorStoreReady}, nil
}

// VectorStoreStatus is a store's status from its files: indexing while
// one is pending, error when none is pending and one failed, otherwise
// ready.
func VectorStoreStatus(pending, failed int) string {
	switch {
	case pending > 0:
		return store.VectorStoreIndexing
	case failed > 0:
		return store.VectorStoreError
	}
	return store.VectorStoreReady
}

// CheckEmbedder returns EINVALID for an empty embedder name or a
// non-positive number of dimensions.
func CheckEmbedder(embedder string, dims int) error {
	switch {
	case embedder == "":
		return store.Errorf(store.EINVALID, "An embedder name is required.")
	case dims <= 0:
		return store.Errorf(store.EINVALID, "An embedder's dimensions must be positive.")
	}
	return nil
}

// ErrEmbedderClaimed is the ECONFLICT of a claim by another embedder than
// the one that indexed the store.
func ErrEmbedderClaimed(embedder string, dims int) error {
	return store.Errorf(store.ECONFLICT, "The vector store is indexed with the embedder %s (%d dimensions).", embedder, dims)
}

// FileStatus returns the error and chunk count SetVectorStoreFileStatus
// stores for a status: the reason only for FileError. EINVALID for
// another status or a negative count.
func FileStatus(status, reason string, chunks int) (string, int, error) {
	switch {
	case chunks < 0:
		return "", 0, store.Errorf(store.EINVALID, "A chunk count cannot be negative.")
	case status == store.FileError:
		return Clean(reason), chunks, nil
	case status == store.FilePending, status == store.FileProcessed:
		return "", chunks, nil
	}
	return "", 0, store.Errorf(store.EINVALID, "File status %q is unknown; use pending, processed or error.", status)
}

// CheckChunks returns EINVALID unless every chunk has the same non-empty
// Embedder and a vector of the same non-zero length, and the Seqs are
// not negative and not repeated.
func CheckChunks(chunks []store.Chunk) error {
	if len(chunks) == 0 {
		return nil
	}
	embedder, dims := chunks[0].Embedder, len(chunks[0].Vector)
	seqs := make(map[int]bool, len(chunks))
	for _, c := range chunks {
		switch {
		case c.Embedder == "":
			return store.Errorf(store.EINVALID, "Every chunk needs the name of its embedder.")
		case c.Embedder != embedder:
			return store.Errorf(store.EINVALID, "The chunks were embedded by %s and %s; one embedder is allowed.", embedder, c.Embedder)
		case len(c.Vector) == 0:
			return store.Errorf(store.EINVALID, "Every chunk needs a vector.")
		case len(c.Vector) != dims:
			return store.Errorf(store.EINVALID, "The chunks' vectors have %d and %d dimensions; one length is allowed.", dims, len(c.Vector))
		case c.Seq < 0:
			return store.Errorf(store.EINVALID, "A chunk's Seq cannot be negative.")
		case seqs[c.Seq]:
			return store.Errorf(store.EINVALID, "Two chunks have Seq %d.", c.Seq)
		}
		seqs[c.Seq] = true
	}
	return nil
}

// Vector encodes a vector for storing: little-endian float32s.
func Vector(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, f := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(f))
	}
	return b
}

// DecodeVector decodes a stored vector.
func DecodeVector(b []byte) ([]float32, error) {
	if len(b)%4 != 0 {
		return nil, fmt.Errorf("decoding vector: %d bytes is not a whole number of float32s", len(b))
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, nil
}

// source is the stored form of a store.Source.
type source struct {
	Store    string  `json:"store"`
	Document string  `json:"document"`
	Filename string  `json:"filename"`
	Chunk    int     `json:"chunk"`
	Score    float64 `json:"score"`
	Text     string  `json:"text"`
}

// CheckSources returns EINVALID for a source whose Score is not a finite
// number, which JSON cannot hold.
func CheckSources(sources []store.Source) error {
	for _, s := range sources {
		if math.IsNaN(s.Score) || math.IsInf(s.Score, 0) {
			return store.Errorf(store.EINVALID, "A source's score must be a finite number.")
		}
	}
	return nil
}

// Sources encodes a message's sources for storing: nil (NULL) for nil, so
// a message without sources reads back without them, and a JSON list
// otherwise.
func Sources(sources []store.Source) (any, error) {
	if sources == nil {
		return nil, nil
	}
	out := make([]source, len(sources))
	for i, s := range sources {
		out[i] = source(s)
	}
	return JSON(out)
}

// DecodeSources decodes stored sources; NULL (nil) decodes as nil.
func DecodeSources(s *string) ([]store.Source, error) {
	if s == nil {
		return nil, nil
	}
	var in []source
	if err := json.Unmarshal([]byte(*s), &in); err != nil {
		return nil, fmt.Errorf("decoding sources: %w", err)
	}
	if in == nil {
		return nil, nil
	}
	out := make([]store.Source, len(in))
	for i, src := range in {
		out[i] = store.Source(src)
	}
	return out, nil
}
