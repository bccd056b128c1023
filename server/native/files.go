package native

import (
	"fmt"
	"io"
	"mime/multipart"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/store"
)

// upload takes a file (multipart field "file") from the user and sends it
// into the dialog: the answer to a file question. Too large is 413; a type
// the waiting question does not accept is 415.
func (h *handlers) upload(c *gin.Context) {
	d, ok := h.lookup(c)
	if !ok {
		return
	}
	part, err := filePart(c)
	if err != nil {
		fail(c, err)
		return
	}
	defer part.Close()
	up := dialogs.Upload{Name: part.FileName(), Type: part.Header.Get("Content-Type"), Body: part, MaxSize: h.MaxUpload,
		Link: func(id int64) string { return h.Link(fmt.Sprintf("/v1/files/%d", id)) }}
	turn, ref, err := h.Dialogs.UploadAnswer(c.Request.Context(), d, up)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, uploadJSON{turnJSON: turnOf(d, turn), File: ref})
}

type uploadJSON struct {
	turnJSON
	File *dialogs.FileRef `json:"file"`
}

// filePart finds the multipart part named "file".
func filePart(c *gin.Context) (*multipart.Part, error) {
	r, err := c.Request.MultipartReader()
	if err != nil {
		return nil, store.FieldErrorf(store.EMALFORMED, "file", "Send the file as multipart/form-data in a field named \"file\".")
	}
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return nil, store.FieldErrorf(store.EMALFORMED, "file", "The form has no field named \"file\".")
		}
		if err != nil {
			return nil, store.Errorf(store.EMALFORMED, "Reading the form failed: %v.", err)
		}
		if p.FormName() == "file" {
			return p, nil
		}
		p.Close()
	}
}
