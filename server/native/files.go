package native

import (
	"fmt"
	"io"
	"mime/multipart"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// upload takes a file (multipart field "file") from the user and sends it
// into the dialog: the answer to a file question. Too large is 413; a type
// the waiting question does not accept is 415.
func (h *handlers) upload(c *gin.Context) {
	h.withUpload(c, func(d *store.Dialog, up dialogs.Upload) error {
		turn, ref, err := h.Dialogs.UploadAnswer(c.Request.Context(), d, up)
		if err == nil {
			c.JSON(http.StatusOK, uploadJSON{turnJSON: turnOf(d, turn), File: ref})
		}
		return err
	})
}

// attach stores a file an operator will send with a message (its id goes
// in the message action's files); 201 with the file.
func (h *handlers) attach(c *gin.Context) {
	h.withUpload(c, func(d *store.Dialog, up dialogs.Upload) error {
		ref, err := h.Dialogs.UploadAttachment(c.Request.Context(), d, up)
		if err == nil {
			c.JSON(http.StatusCreated, ref)
		}
		return err
	})
}

// withUpload finds the caller's dialog and reads the request's multipart
// field "file" as an upload into it, then runs use; any error is the
// answer.
func (h *handlers) withUpload(c *gin.Context, use func(d *store.Dialog, up dialogs.Upload) error) {
	d, ok := h.lookup(c)
	if !ok {
		return
	}
	finish := server.StreamingUpload(c, h.MaxUpload)
	part, err := filePart(c, h.MaxUpload)
	if err != nil {
		fail(c, err)
		return
	}
	defer part.Close()
	up := dialogs.Upload{Name: part.FileName(), Type: part.Header.Get("Content-Type"), Body: part, MaxSize: h.MaxUpload,
		Link: func(id int64) string { return h.Link(fmt.Sprintf("/v1/files/%d", id)) }}
	if err := finish(use(d, up)); err != nil {
		fail(c, err)
	}
}

type uploadJSON struct {
	turnJSON
	File *dialogs.FileRef `json:"file"`
}

// filePart finds the multipart part named "file".
func filePart(c *gin.Context, limit int64) (*multipart.Part, error) {
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
			return nil, server.UploadReadError(err, limit)
		}
		if p.FormName() == "file" {
			return p, nil
		}
		p.Close()
	}
}
