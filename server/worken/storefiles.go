package worken

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/store"
)

const addFileBody = `{"file_id": "file-..."}`

// pollHelper is the header with which the openai SDK's polling helpers
// (vectorStores.files.poll, createAndPoll, uploadAndPoll) announce
// themselves.
const pollHelper = "X-Stainless-Poll-Helper"

// pollAfterMs is how long the SDK's polling helpers wait between polls.
const pollAfterMs = "500"

type addFileJSON struct {
	FileID string `json:"file_id"`
}

// addFile is POST /vector_stores/:id/files: adds an uploaded file to the
// store and starts indexing it; the answer is the file, pending. Adding a
// file that is there already answers it as it is.
func (h *handlers) addFile(c *gin.Context) {
	vs, ok := h.vectorStore(c) // first: another project's store is 404 whatever the body
	if !ok {
		return
	}
	var body addFileJSON
	if err := bindJSON(c, &body, addFileBody); err != nil {
		fail(c, err)
		return
	}
	if body.FileID == "" {
		fail(c, store.FieldErrorf(store.EINVALID, "file_id", `file_id is required: the id POST /files returned, like %s.`, addFileBody))
		return
	}
	if _, err := h.document(c, body.FileID); err != nil {
		fail(c, err)
		return
	}
	ctx := c.Request.Context()
	_, err := h.Store.VectorStoreFile(ctx, vs.ProjectID, vs.UUID, body.FileID)
	existed := err == nil
	f, err := h.Knowledge.AddFile(ctx, vs.ProjectID, vs.UUID, body.FileID)
	if err != nil {
		if !existed { // indexing did not start: take the file out again
			rollback(c, "taking file "+body.FileID+" out of vector store "+vs.UUID+" again",
				h.Store.DeleteVectorStoreFile(context.WithoutCancel(ctx), vs.ProjectID, vs.UUID, body.FileID))
		}
		fail(c, err)
		return
	}
	h.renderFile(c, vs, f)
}

// listFiles is GET /vector_stores/:id/files; filter takes a Worken status
// (pending, processed, error) or OpenAI's (in_progress, completed, failed,
// cancelled).
func (h *handlers) listFiles(c *gin.Context) {
	p, err := parsePage(c)
	if err != nil {
		fail(c, err)
		return
	}
	status, err := parseFilter(c.Query("filter"))
	if err != nil {
		fail(c, err)
		return
	}
	vs, ok := h.vectorStore(c)
	if !ok {
		return
	}
	all, err := h.Store.VectorStoreFiles(c.Request.Context(), vs.ProjectID, vs.UUID)
	if err != nil {
		fail(c, err)
		return
	}
	if status != "" {
		kept := all[:0]
		for _, f := range all {
			if f.Status == status {
				kept = append(kept, f)
			}
		}
		all = kept
	}
	files, more, err := page(all, func(f store.VectorStoreFile) string { return f.UUID }, p)
	if err != nil {
		fail(c, err)
		return
	}
	sz := newSizes(h.Store, vs.ProjectID)
	data := make([]vectorStoreFileJSON, len(files))
	for i := range files {
		if data[i], err = fileView(c.Request.Context(), sz, vs.UUID, &files[i]); err != nil {
			fail(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, list(data, func(f vectorStoreFileJSON) string { return f.ID }, more))
}

// parseFilter reads a list's status filter; "cancelled" matches nothing,
// as Parley never cancels indexing.
func parseFilter(s string) (string, error) {
	switch s {
	case "":
		return "", nil
	case store.FilePending, "in_progress":
		return store.FilePending, nil
	case store.FileProcessed, "completed":
		return store.FileProcessed, nil
	case store.FileError, "failed":
		return store.FileError, nil
	case "cancelled":
		return "cancelled", nil
	}
	return "", store.FieldErrorf(store.EINVALID, "filter", "filter must be pending, processed or error (or OpenAI's in_progress, completed, failed, cancelled), got %q.", s)
}

// getFile is GET /vector_stores/:id/files/:file_id. The openai SDK's
// polling helpers get OpenAI's status names (in_progress, completed,
// failed), which are all they stop on, and a hint to poll every 500 ms.
func (h *handlers) getFile(c *gin.Context) {
	vs, f, ok := h.storeFile(c)
	if !ok {
		return
	}
	h.renderFile(c, vs, f)
}

// deleteFile is DELETE /vector_stores/:id/files/:file_id: the file leaves
// the store with its chunks; the uploaded file stays.
func (h *handlers) deleteFile(c *gin.Context) {
	vs, f, ok := h.storeFile(c)
	if !ok {
		return
	}
	if err := h.Knowledge.DeleteFile(c.Request.Context(), vs.ProjectID, vs.UUID, f.UUID); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, deletedJSON{ID: f.UUID, Object: "vector_store.file.deleted", Deleted: true})
}

// storeFile finds the store and the file of the path, or renders a 404
// that names what is missing.
func (h *handlers) storeFile(c *gin.Context) (*store.VectorStore, *store.VectorStoreFile, bool) {
	vs, ok := h.vectorStore(c)
	if !ok {
		return nil, nil, false
	}
	id := c.Param("file_id")
	f, err := h.Store.VectorStoreFile(c.Request.Context(), vs.ProjectID, vs.UUID, id)
	if store.ErrorCode(err) == store.ENOTFOUND {
		err = store.Errorf(store.ENOTFOUND, "No file with id %q in the vector store %q.", id, vs.UUID)
	}
	if err != nil {
		fail(c, err)
		return nil, nil, false
	}
	return vs, f, true
}

func (h *handlers) renderFile(c *gin.Context, vs *store.VectorStore, f *store.VectorStoreFile) {
	v, err := fileView(c.Request.Context(), newSizes(h.Store, vs.ProjectID), vs.UUID, f)
	if err != nil {
		fail(c, err)
		return
	}
	if c.GetHeader(pollHelper) == "true" {
		v.Status = openAIStatus[v.Status]
		c.Header("openai-poll-after-ms", pollAfterMs)
	}
	c.JSON(http.StatusOK, v)
}
