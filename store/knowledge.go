package store

import (
	"context"
	"time"
)

// KnowledgeStore keeps a project's knowledge: uploaded documents, vector
// stores, the documents added to them and, for the embedded index, their
// chunks with vectors. It is part of Store.
type KnowledgeStore interface {
	// CreateDocument records an uploaded document, filling in ID, UUID
	// (when empty: "file-" and 24 base62 characters) and CreatedAt.
	// EINVALID for an empty name, an empty or malformed MIME type, a
	// negative size or a SHA256 that is not 64 lowercase hex characters;
	// ENOTFOUND for an unknown project.
	CreateDocument(ctx context.Context, d *Document) error
	// Document returns a project's document by UUID; ENOTFOUND if none.
	Document(ctx context.Context, projectID int64, uuid string) (*Document, error)
	// Documents lists a project's documents, newest first.
	Documents(ctx context.Context, projectID int64) ([]Document, error)
	// DeleteDocument deletes a project's document, taking it out of every
	// vector store with its chunks; ENOTFOUND if it is not the project's.
	// The bytes stay: they are named by their content, which another
	// document or upload may share.
	DeleteDocument(ctx context.Context, projectID int64, uuid string) error

	// CreateVectorStore creates a vector store, filling in ID, UUID (when
	// empty: "vs_" and 24 base62 characters), Status ("ready"), CreatedAt
	// and UpdatedAt. A non-empty Name is unique in its project (ECONFLICT);
	// EINVALID for a negative ChunkSize or ChunkOverlap, or an overlap not
	// below a non-zero size. Embedder and Dimensions start empty.
	CreateVectorStore(ctx context.Context, v *VectorStore) error
	// VectorStore returns a project's vector store by UUID, or by name when
	// no UUID matches; ENOTFOUND if none.
	VectorStore(ctx context.Context, projectID int64, uuidOrName string) (*VectorStore, error)
	// VectorStores lists a project's vector stores, newest first.
	VectorStores(ctx context.Context, projectID int64) ([]VectorStore, error)
	// RenameVectorStore changes a store's name (ECONFLICT if another store
	// of the project has it) and returns the store.
	RenameVectorStore(ctx context.Context, projectID int64, uuid, name string) (*VectorStore, error)
	// ClaimEmbedder records which embedder indexes a store: the first claim
	// sets it; a claim with the same name and dimensions is a no-op; a
	// different one is ECONFLICT, so vectors of two embedders never mix.
	ClaimEmbedder(ctx context.Context, storeID int64, embedder string, dims int) error
	// DeleteVectorStore deletes a store with its files and chunks (the
	// documents stay); ENOTFOUND if it is not the project's.
	DeleteVectorStore(ctx context.Context, projectID int64, uuid string) error

	// AddVectorStoreFile adds a document to a store with status
	// "pending". Adding a document that is already there returns the
	// existing record unchanged. ENOTFOUND if the store or the document
	// is not the project's.
	AddVectorStoreFile(ctx context.Context, projectID int64, storeUUID, documentUUID string) (*VectorStoreFile, error)
	// VectorStoreFile returns one file of a store by the document's UUID;
	// ENOTFOUND if none.
	VectorStoreFile(ctx context.Context, projectID int64, storeUUID, documentUUID string) (*VectorStoreFile, error)
	// VectorStoreFiles lists a store's files, newest first.
	VectorStoreFiles(ctx context.Context, projectID int64, storeUUID string) ([]VectorStoreFile, error)
	// SetVectorStoreFileStatus records how indexing went: FileProcessed
	// (with the number of chunks), FilePending again, or FileError with a
	// reason. ENOTFOUND for an unknown (store, document); EINVALID for
	// another status.
	SetVectorStoreFileStatus(ctx context.Context, storeID, documentID int64, status, reason string, chunks int) error
	// DeleteVectorStoreFile removes a document from a store with its
	// chunks; ENOTFOUND if it is not there.
	DeleteVectorStoreFile(ctx context.Context, projectID int64, storeUUID, documentUUID string) error

	// ReplaceChunks sets the chunks of one document in one store in one
	// transaction: the earlier ones go, so indexing again never
	// duplicates. Every vector must have the same, non-zero length and
	// every chunk the same non-empty Embedder (EINVALID otherwise). ENOTFOUND if the document is not in the store.
	ReplaceChunks(ctx context.Context, storeID, documentID int64, chunks []Chunk) error
	// Chunks returns every chunk of the given stores of a project, with
	// vectors and Filename, ordered by store, document and Seq; stores of
	// other projects are ignored.
	Chunks(ctx context.Context, projectID int64, storeIDs []int64) ([]Chunk, error)
}

// Document is a file uploaded for knowledge (OpenAI's POST /files). Its
// bytes live on disk, named by their SHA-256.
type Document struct {
	ID        int64
	UUID      string // "file-..."
	ProjectID int64
	Name      string
	MIMEType  string
	Size      int64
	SHA256    string
	Purpose   string // as uploaded; "assistants" for knowledge
	CreatedAt time.Time
}

// Vector store statuses, derived from the files: indexing while one is
// pending, error when none is pending and one failed, otherwise ready.
const (
	VectorStoreReady    = "ready"
	VectorStoreIndexing = "indexing"
	VectorStoreError    = "error"
)

// VectorStore is a knowledge base: documents cut into chunks and indexed.
type VectorStore struct {
	ID           int64
	UUID         string // "vs_..."
	ProjectID    int64
	Name         string
	ChunkSize    int    // runes per chunk; 0 means the default
	ChunkOverlap int    // runes shared by neighbouring chunks
	Embedder     string // the embedder that indexed it; "" until the first file
	Dimensions   int
	// FileCount and Status are computed from the store's files on reads.
	FileCount int
	Status    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Vector store file statuses (Worken's names).
const (
	FilePending   = "pending"
	FileProcessed = "processed"
	FileError     = "error"
)

// VectorStoreFile is a document added to a vector store.
type VectorStoreFile struct {
	StoreID    int64
	DocumentID int64
	UUID       string // the document's UUID, as OpenAI names store files
	Filename   string // the document's name
	Status     string
	Error      string // why indexing failed, for FileError
	ChunkCount int
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Chunk is a piece of a document in a store, with its embedding.
type Chunk struct {
	StoreID    int64
	DocumentID int64
	Seq        int // 0, 1, ... in document order
	Text       string
	Embedder   string // the embedder that made Vector
	Vector     []float32
	Filename   string // filled in on reads
}
