package worken

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/store"
)

// fileJSON is OpenAI's file object. Uploads are processed when stored, so
// status is always "processed".
type fileJSON struct {
	ID        string `json:"id"`
	Object    string `json:"object"`
	Bytes     int64  `json:"bytes"`
	CreatedAt int64  `json:"created_at"` // Unix seconds, as OpenAI's
	Filename  string `json:"filename"`
	Purpose   string `json:"purpose"`
	Status    string `json:"status"`
}

func fileOf(d *store.Document) fileJSON {
	return fileJSON{ID: d.UUID, Object: "file", Bytes: d.Size, CreatedAt: d.CreatedAt.Unix(), Filename: d.Name,
		Purpose: d.Purpose, Status: "processed"}
}

// purposes are OpenAI's file purposes; knowledge uses "assistants", the
// default here when the form has none.
var purposes = []string{"assistants", "batch", "fine-tune", "vision", "user_data", "evals"}

const defaultPurpose = "assistants"

// uploadFile is POST /files: multipart/form-data with the file in "file"
// and an optional "purpose". The bytes go to the blob directory, the
// record to the store. Over the upload limit is 413.
func (h *handlers) uploadFile(c *gin.Context) {
	doc, err := h.readUpload(c)
	if err != nil {
		fail(c, err)
		return
	}
	if err := h.Store.CreateDocument(c.Request.Context(), doc); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, fileOf(doc))
}

// readUpload reads the form: the purpose and the file, stored as a blob,
// in either order.
func (h *handlers) readUpload(c *gin.Context) (*store.Document, error) {
	purpose := ""
	doc, err := h.ReadUpload(c, map[string]*string{"purpose": &purpose}, `the file in a field named "file" and "purpose" set to "assistants"`)
	if err != nil {
		return nil, err
	}
	if purpose == "" {
		purpose = defaultPurpose
	}
	if !slices.Contains(purposes, purpose) {
		return nil, store.FieldErrorf(store.EINVALID, "purpose", "The purpose %q is unknown; use one of %s (knowledge bases use %q).", purpose, strings.Join(purposes, ", "), defaultPurpose)
	}
	doc.ProjectID, doc.Purpose = project(c), purpose
	return doc, nil
}

// file is GET /files/:file_id.
func (h *handlers) file(c *gin.Context) {
	doc, err := h.document(c, c.Param("file_id"))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, fileOf(doc))
}

// listUploads is GET /files: the project's uploads, newest first, in pages
// (limit, order, after, before), optionally of one purpose.
func (h *handlers) listUploads(c *gin.Context) {
	p, err := parsePage(c)
	if err != nil {
		fail(c, err)
		return
	}
	purpose := c.Query("purpose")
	if purpose != "" && !slices.Contains(purposes, purpose) {
		fail(c, store.FieldErrorf(store.EINVALID, "purpose", "The purpose %q is unknown; use one of %s.", purpose, strings.Join(purposes, ", ")))
		return
	}
	all, err := h.Store.Documents(c.Request.Context(), project(c))
	if err != nil {
		fail(c, err)
		return
	}
	if purpose != "" {
		all = slices.DeleteFunc(all, func(d store.Document) bool { return d.Purpose != purpose })
	}
	docs, more, err := page(all, func(d store.Document) string { return d.UUID }, p)
	if err != nil {
		fail(c, err)
		return
	}
	data := make([]fileJSON, len(docs))
	for i := range docs {
		data[i] = fileOf(&docs[i])
	}
	c.JSON(http.StatusOK, list(data, func(f fileJSON) string { return f.ID }, more))
}

// deleteUpload is DELETE /files/:file_id: the upload leaves every vector
// store it is in, with its chunks, and is gone.
func (h *handlers) deleteUpload(c *gin.Context) {
	doc, err := h.document(c, c.Param("file_id"))
	if err != nil {
		fail(c, err)
		return
	}
	if err := h.Knowledge.DeleteDocument(c.Request.Context(), project(c), doc.UUID); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, deletedJSON{ID: doc.UUID, Object: "file", Deleted: true})
}

// document finds the caller's document, with a 404 that names it.
func (h *handlers) document(c *gin.Context, id string) (*store.Document, error) {
	doc, err := h.Store.Document(c.Request.Context(), project(c), id)
	if store.ErrorCode(err) == store.ENOTFOUND {
		return nil, store.Errorf(store.ENOTFOUND, "No file with id %q in this project; upload it with POST /files first.", id)
	}
	return doc, err
}
