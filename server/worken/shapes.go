package worken

import (
	"context"
	"strings"
	"time"

	"github.com/parleyhq/parley/store"
)

// vectorStoreJSON is Worken's VectorStore (id, name, file_count, status,
// created_at) with the fields of OpenAI's vector store that do not clash
// with it: object, file_counts and usage_bytes. Worken wins the clashes:
// created_at is an RFC 3339 string and status is ready, indexing or error.
type vectorStoreJSON struct {
	ID         string     `json:"id"`
	Object     string     `json:"object"`
	Name       string     `json:"name"`
	FileCount  int        `json:"file_count"`
	Status     string     `json:"status"`
	CreatedAt  string     `json:"created_at"`
	FileCounts fileCounts `json:"file_counts"`
	UsageBytes int64      `json:"usage_bytes"`
}

// fileCounts is OpenAI's count of a store's files by status; Parley never
// cancels indexing, so cancelled is 0.
type fileCounts struct {
	InProgress int `json:"in_progress"`
	Completed  int `json:"completed"`
	Failed     int `json:"failed"`
	Cancelled  int `json:"cancelled"`
	Total      int `json:"total"`
}

// vectorStoreFileJSON is Worken's VectorStoreFile (id, filename, status,
// created_at) with OpenAI's object, vector_store_id, usage_bytes and
// last_error.
type vectorStoreFileJSON struct {
	ID            string         `json:"id"`
	Object        string         `json:"object"`
	Filename      string         `json:"filename"`
	Status        string         `json:"status"`
	CreatedAt     string         `json:"created_at"`
	VectorStoreID string         `json:"vector_store_id"`
	UsageBytes    int64          `json:"usage_bytes"`
	LastError     *lastErrorJSON `json:"last_error"`
}

// lastErrorJSON says why a file could not be indexed.
type lastErrorJSON struct {
	Code    string `json:"code"` // OpenAI's: unsupported_file, invalid_file or server_error
	Message string `json:"message"`
}

// listJSON is OpenAI's list, which the SDK's pagination reads.
type listJSON[T any] struct {
	Object  string  `json:"object"`
	Data    []T     `json:"data"`
	FirstID *string `json:"first_id"`
	LastID  *string `json:"last_id"`
	HasMore bool    `json:"has_more"`
}

// deletedJSON answers a delete.
type deletedJSON struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Deleted bool   `json:"deleted"`
}

func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// sizes finds the byte sizes of documents, each once per request: the
// usage_bytes of files and stores.
type sizes struct {
	db      store.Store
	project int64
	known   map[string]int64
}

func newSizes(db store.Store, project int64) *sizes {
	return &sizes{db: db, project: project, known: map[string]int64{}}
}

// of is the usage of a store's file: the size of its document once it is
// indexed, 0 before and when indexing failed.
func (s *sizes) of(ctx context.Context, f *store.VectorStoreFile) (int64, error) {
	if f.Status != store.FileProcessed {
		return 0, nil
	}
	if n, ok := s.known[f.UUID]; ok {
		return n, nil
	}
	doc, err := s.db.Document(ctx, s.project, f.UUID)
	if err != nil {
		return 0, err
	}
	s.known[f.UUID] = doc.Size
	return doc.Size, nil
}

// storeView shows a store. Its file count, status and usage come from one
// read of its files, so they agree with each other.
func storeView(ctx context.Context, db store.Store, sz *sizes, vs *store.VectorStore) (vectorStoreJSON, error) {
	files, err := db.VectorStoreFiles(ctx, vs.ProjectID, vs.UUID)
	if err != nil {
		return vectorStoreJSON{}, err
	}
	v := vectorStoreJSON{ID: vs.UUID, Object: "vector_store", Name: vs.Name, FileCount: len(files),
		CreatedAt: timestamp(vs.CreatedAt), FileCounts: fileCounts{Total: len(files)}}
	for i := range files {
		switch files[i].Status {
		case store.FilePending:
			v.FileCounts.InProgress++
		case store.FileProcessed:
			v.FileCounts.Completed++
		case store.FileError:
			v.FileCounts.Failed++
		}
		n, err := sz.of(ctx, &files[i])
		if err != nil {
			return vectorStoreJSON{}, err
		}
		v.UsageBytes += n
	}
	v.Status = store.VectorStoreReady
	if v.FileCounts.InProgress > 0 {
		v.Status = store.VectorStoreIndexing
	} else if v.FileCounts.Failed > 0 {
		v.Status = store.VectorStoreError
	}
	return v, nil
}

// fileView shows a store's file.
func fileView(ctx context.Context, sz *sizes, storeUUID string, f *store.VectorStoreFile) (vectorStoreFileJSON, error) {
	n, err := sz.of(ctx, f)
	if err != nil {
		return vectorStoreFileJSON{}, err
	}
	v := vectorStoreFileJSON{ID: f.UUID, Object: "vector_store.file", Filename: f.Filename, Status: f.Status,
		CreatedAt: timestamp(f.CreatedAt), VectorStoreID: storeUUID, UsageBytes: n}
	if f.Status == store.FileError {
		v.LastError = &lastErrorJSON{Code: errorCode(f.Error), Message: f.Error}
	}
	return v, nil
}

// errorCode sorts an indexing failure's reason into OpenAI's codes: the
// reasons knowledge.Library and the indexing workflow write start with
// these words.
func errorCode(reason string) string {
	switch {
	case strings.HasPrefix(reason, "unsupported file type"):
		return "unsupported_file"
	case strings.HasPrefix(reason, "indexing failed"):
		return "server_error"
	}
	return "invalid_file"
}

// The statuses OpenAI's SDK polls for (vectorStores.files.poll and
// createAndPoll): it sleeps on in_progress, returns on completed or
// failed, and loops without pause on anything else.
var openAIStatus = map[string]string{
	store.FilePending:   "in_progress",
	store.FileProcessed: "completed",
	store.FileError:     "failed",
}
