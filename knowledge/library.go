package knowledge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"os"
	"path/filepath"
	"strings"

	"github.com/parleyhq/parley/blobs"
	"github.com/parleyhq/parley/store"
)

// Default chunking of a vector store that does not set its own.
const (
	DefaultChunkSize    = 800
	DefaultChunkOverlap = 200
)

// maxDocumentBytes bounds what indexing reads of one document.
const maxDocumentBytes = 64 << 20

// embedBatch is how many chunks go to the embedder in one call.
const embedBatch = 64

// Library is a project's knowledge: it adds documents to vector stores,
// indexes them (extract, chunk, embed, index) and searches them.
type Library struct {
	Store    store.Store
	Index    Index
	Embedder Embedder
	Blobs    blobs.Dir
	// Start runs Ingest for a job, now or later (parley runs it as a
	// durable Temporal workflow, so indexing survives restarts); nil runs
	// it before AddFile returns.
	Start func(ctx context.Context, job Job) error
}

// Job names a document to index in a store.
type Job struct {
	ProjectID    int64
	StoreUUID    string
	DocumentUUID string
	// Added is when the document was added to the store (Unix ms): a file
	// taken out and added again is a new job, not the one still finishing.
	Added int64
}

// AddFile adds a document to a store and starts indexing it. Adding a
// document that is already there changes nothing.
func (l *Library) AddFile(ctx context.Context, projectID int64, storeUUID, documentUUID string) (*store.VectorStoreFile, error) {
	f, err := l.Store.AddVectorStoreFile(ctx, projectID, storeUUID, documentUUID)
	if err != nil || f.Status != store.FilePending {
		return f, err
	}
	job := Job{ProjectID: projectID, StoreUUID: storeUUID, DocumentUUID: documentUUID, Added: f.CreatedAt.UnixMilli()}
	if l.Start == nil {
		if err := l.Ingest(ctx, job); err != nil {
			return nil, err
		}
		return l.Store.VectorStoreFile(ctx, projectID, storeUUID, documentUUID)
	}
	if err := l.Start(ctx, job); err != nil {
		return nil, fmt.Errorf("starting to index %s: %w", documentUUID, err)
	}
	return f, nil
}

// Ingest indexes one document of a store and records the outcome on the
// store's file: processed with its chunk count, or error with a reason a
// user can act on. It returns an error only for failures worth retrying
// (the embedder or the index unreachable); a store or file deleted in the
// meantime is nothing to do.
func (l *Library) Ingest(ctx context.Context, job Job) error {
	vs, err := l.Store.VectorStore(ctx, job.ProjectID, job.StoreUUID)
	if store.ErrorCode(err) == store.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	f, err := l.Store.VectorStoreFile(ctx, job.ProjectID, job.StoreUUID, job.DocumentUUID)
	if store.ErrorCode(err) == store.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	chunks, reason, err := l.prepare(ctx, vs, job)
	if err != nil {
		return err
	}
	if reason != "" {
		return l.Store.SetVectorStoreFileStatus(ctx, vs.ID, f.DocumentID, store.FileError, reason, 0)
	}
	if err := l.Index.Upsert(ctx, indexed(vs, f, l.Embedder.Name(), chunks)); err != nil {
		return fmt.Errorf("indexing %s: %w", f.Filename, err)
	}
	return l.Store.SetVectorStoreFileStatus(ctx, vs.ID, f.DocumentID, store.FileProcessed, "", len(chunks))
}

// embedded is a chunk of text with its vector.
type embedded struct {
	Chunk
	Vector []float32
}

// prepare reads, extracts, chunks and embeds a document. A document that
// cannot be indexed as it is gives a reason instead of an error.
func (l *Library) prepare(ctx context.Context, vs *store.VectorStore, job Job) ([]embedded, string, error) {
	text, reason, err := l.extract(ctx, job)
	if reason != "" || err != nil {
		return nil, reason, err
	}
	size, overlap := vs.ChunkSize, vs.ChunkOverlap
	if size == 0 {
		size, overlap = DefaultChunkSize, min(DefaultChunkOverlap, DefaultChunkSize/4)
	}
	pieces, err := ChunkText(text, ChunkOptions{Size: size, Overlap: overlap})
	if err != nil {
		return nil, fmt.Sprintf("cannot cut the text into chunks: %v", err), nil
	}
	out := make([]embedded, 0, len(pieces))
	for i := 0; i < len(pieces); i += embedBatch {
		batch := pieces[i:min(i+embedBatch, len(pieces))]
		texts := make([]string, len(batch))
		for j, c := range batch {
			texts[j] = c.Text
		}
		vectors, err := l.Embedder.Embed(ctx, texts)
		if err != nil {
			return nil, "", fmt.Errorf("embedding chunks with %s: %w", l.Embedder.Name(), err)
		}
		for j, c := range batch {
			out = append(out, embedded{Chunk: c, Vector: vectors[j]})
		}
	}
	if len(out) > 0 {
		err := l.Store.ClaimEmbedder(ctx, vs.ID, l.Embedder.Name(), len(out[0].Vector))
		if store.ErrorCode(err) == store.ECONFLICT {
			return nil, fmt.Sprintf("this vector store was indexed with the embedder %s, and Parley now embeds with %s; vectors of two embedders cannot be searched together: add the file to a new vector store, or set PARLEY_EMBEDDING_MODEL back", vs.Embedder, l.Embedder.Name()), nil
		}
		if err != nil {
			return nil, "", err
		}
	}
	return out, "", nil
}

// extract reads the document's blob and pulls out its text.
func (l *Library) extract(ctx context.Context, job Job) (text, reason string, err error) {
	doc, err := l.Store.Document(ctx, job.ProjectID, job.DocumentUUID)
	if err != nil {
		return "", "", err
	}
	blob, err := l.Blobs.Open(doc.SHA256)
	if err != nil {
		return "", "", fmt.Errorf("opening %s: %w", doc.Name, err)
	}
	defer blob.Close()
	data, err := io.ReadAll(io.LimitReader(blob, maxDocumentBytes+1))
	if err != nil {
		return "", "", fmt.Errorf("reading %s: %w", doc.Name, err)
	}
	if len(data) > maxDocumentBytes {
		return "", fmt.Sprintf("the file is over %d MiB; split it into smaller files", maxDocumentBytes>>20), nil
	}
	text, err = safeExtract(doc.Name, doc.MIMEType, data)
	if err != nil {
		return "", extractReason(err), nil
	}
	return text, "", nil
}

// safeExtract runs Extract, turning a parser's panic on a malformed file
// into an error: one bad upload must not stop the worker.
func safeExtract(name, mimeType string, data []byte) (text string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the file is malformed (%v)", r)
		}
	}()
	return Extract(name, mimeType, data)
}

func extractReason(err error) string {
	switch {
	case errors.Is(err, ErrUnsupportedFormat):
		names := make([]string, 0, len(SupportedFormats()))
		for _, f := range SupportedFormats() {
			names = append(names, string(f))
		}
		return "unsupported file type; upload one of: " + strings.Join(names, ", ")
	case errors.Is(err, ErrNoText):
		return "the file has no text to index (a scanned PDF needs OCR first)"
	}
	return strings.TrimPrefix(err.Error(), "knowledge: ")
}

func indexed(vs *store.VectorStore, f *store.VectorStoreFile, embedder string, chunks []embedded) []IndexedChunk {
	out := make([]IndexedChunk, len(chunks))
	for i, c := range chunks {
		out[i] = IndexedChunk{ProjectID: vs.ProjectID, StoreID: vs.ID, DocumentID: f.DocumentID, Seq: c.Index,
			Text: c.Text, Filename: f.Filename, Embedder: embedder, Vector: c.Vector}
	}
	return out
}

// DeleteFile removes a document from a store, with its chunks.
func (l *Library) DeleteFile(ctx context.Context, projectID int64, storeUUID, documentUUID string) error {
	f, err := l.Store.VectorStoreFile(ctx, projectID, storeUUID, documentUUID)
	if err != nil {
		return err
	}
	// The index first: if that fails, the file is still there to delete
	// again, rather than gone with its chunks left in the index.
	if err := l.Index.DeleteDocument(ctx, projectID, f.StoreID, f.DocumentID); err != nil {
		return err
	}
	return l.Store.DeleteVectorStoreFile(ctx, projectID, storeUUID, documentUUID)
}

// DeleteDocument deletes an uploaded document: it leaves every store it
// is in, with its chunks (the index first, as in DeleteFile), then its
// record goes.
func (l *Library) DeleteDocument(ctx context.Context, projectID int64, documentUUID string) error {
	doc, err := l.Store.Document(ctx, projectID, documentUUID)
	if err != nil {
		return err
	}
	stores, err := l.Store.VectorStores(ctx, projectID)
	if err != nil {
		return err
	}
	for _, vs := range stores {
		_, err := l.Store.VectorStoreFile(ctx, projectID, vs.UUID, documentUUID)
		if store.ErrorCode(err) == store.ENOTFOUND {
			continue
		}
		if err != nil {
			return err
		}
		if err := l.Index.DeleteDocument(ctx, projectID, vs.ID, doc.ID); err != nil {
			return err
		}
	}
	return l.Store.DeleteDocument(ctx, projectID, documentUUID)
}

// DeleteStore deletes a store with its files and chunks.
func (l *Library) DeleteStore(ctx context.Context, projectID int64, storeUUID string) error {
	vs, err := l.Store.VectorStore(ctx, projectID, storeUUID)
	if err != nil {
		return err
	}
	if err := l.Index.DeleteStore(ctx, projectID, vs.ID); err != nil { // first, as in DeleteFile
		return err
	}
	return l.Store.DeleteVectorStore(ctx, projectID, vs.UUID)
}

// Search finds the chunks of the named stores (UUIDs or names) nearest to
// text. A store indexed by another embedder than the library's is an
// error that says so; a store with nothing indexed yet has no hits.
func (l *Library) Search(ctx context.Context, projectID int64, stores []string, text string, topK int, minScore float64) ([]store.Source, error) {
	found, err := l.resolve(ctx, projectID, stores)
	if err != nil {
		return nil, err
	}
	for _, vs := range found {
		if vs.Embedder != "" && vs.Embedder != l.Embedder.Name() {
			return nil, fmt.Errorf("knowledge base %q was indexed with the embedder %s, but Parley now embeds with %s; index its files again in a new vector store", vs.Name, vs.Embedder, l.Embedder.Name())
		}
	}
	ids, uuids := storeIDs(found)
	if len(ids) == 0 || strings.TrimSpace(text) == "" {
		return nil, nil
	}
	vectors, err := l.Embedder.Embed(ctx, []string{text})
	if err != nil {
		return nil, fmt.Errorf("embedding the question with %s: %w", l.Embedder.Name(), err)
	}
	hits, err := l.Index.Search(ctx, Query{ProjectID: projectID, StoreIDs: ids, Embedder: l.Embedder.Name(), Vector: vectors[0], TopK: topK, MinScore: minScore})
	if err != nil {
		return nil, fmt.Errorf("searching the knowledge base: %w", err)
	}
	return l.sources(ctx, projectID, uuids, hits)
}

// resolve looks up a project's stores named by UUID or name; a store
// that does not exist is an error wrapping ENOTFOUND that names it.
func (l *Library) resolve(ctx context.Context, projectID int64, names []string) ([]*store.VectorStore, error) {
	out := make([]*store.VectorStore, 0, len(names))
	for _, name := range names {
		vs, err := l.Store.VectorStore(ctx, projectID, name)
		if err != nil {
			return nil, fmt.Errorf("knowledge base %q: %w", name, err)
		}
		out = append(out, vs)
	}
	return out, nil
}

// storeIDs are stores' ids, and their UUIDs by id.
func storeIDs(stores []*store.VectorStore) ([]int64, map[int64]string) {
	ids := make([]int64, 0, len(stores))
	uuids := make(map[int64]string, len(stores))
	for _, vs := range stores {
		ids = append(ids, vs.ID)
		uuids[vs.ID] = vs.UUID
	}
	return ids, uuids
}

// sources turns hits into the sources kept on an answer, naming the
// documents by UUID as the APIs do.
func (l *Library) sources(ctx context.Context, projectID int64, stores map[int64]string, hits []Hit) ([]store.Source, error) {
	out := make([]store.Source, 0, len(hits))
	docs := map[int64]string{}
	for _, h := range hits {
		doc, ok := docs[h.DocumentID]
		if !ok {
			files, err := l.Store.VectorStoreFiles(ctx, projectID, stores[h.StoreID])
			if err != nil {
				return nil, err
			}
			for _, f := range files {
				docs[f.DocumentID] = f.UUID
			}
			doc = docs[h.DocumentID]
		}
		out = append(out, store.Source{Store: stores[h.StoreID], Document: doc, Filename: h.Filename, Chunk: h.Seq, Score: h.Score, Text: h.Text})
	}
	return out, nil
}

// StoreNamed returns the project's vector store with this name, creating
// it when there is none.
func (l *Library) StoreNamed(ctx context.Context, projectID int64, name string) (*store.VectorStore, error) {
	vs, err := l.Store.VectorStore(ctx, projectID, name)
	if store.ErrorCode(err) != store.ENOTFOUND {
		return vs, err
	}
	vs = &store.VectorStore{ProjectID: projectID, Name: name}
	if err := l.Store.CreateVectorStore(ctx, vs); err != nil {
		return nil, err
	}
	return vs, nil
}

// maxLocalFile bounds a file AddLocalFile reads.
const maxLocalFile = maxDocumentBytes

// AddLocalFile uploads a file from disk as a document and adds it to a
// store (parley dev's example knowledge, conversation tests).
func (l *Library) AddLocalFile(ctx context.Context, vs *store.VectorStore, path string) (*store.VectorStoreFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sum, size, err := l.Blobs.Put(f, maxLocalFile)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	mimeType := mime.TypeByExtension(filepath.Ext(path))
	if mimeType == "" {
		mimeType = "application/octet-stream"
	}
	doc := &store.Document{ProjectID: vs.ProjectID, Name: filepath.Base(path), MIMEType: mimeType, Size: size, SHA256: sum, Purpose: "assistants"}
	if err := l.Store.CreateDocument(ctx, doc); err != nil {
		return nil, err
	}
	return l.AddFile(ctx, vs.ProjectID, vs.UUID, doc.UUID)
}
