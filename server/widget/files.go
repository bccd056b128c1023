package widget

import (
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// fileJSON is a file in a visitor's dialog, with the link the visitor
// downloads it from (their token in it, as an <img> or a link cannot send
// headers).
type fileJSON struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	MIMEType string `json:"mime_type"`
	Size     int64  `json:"size"`
	URL      string `json:"url"`
}

// linker is the visitor's link to one of their dialog's files.
type linker func(fileID int64) string

// fileLink links the files of d for the visitor whose token is token.
func (h *handlers) fileLink(d *store.Dialog, token string) linker {
	return func(id int64) string {
		return h.Link(fmt.Sprintf("/widget/v1/dialogs/%s/files/%d?visitor_token=%s", d.UUID, id, url.QueryEscape(token)))
	}
}

func filesJSON(files []store.Attachment, link linker) []fileJSON {
	var out []fileJSON
	for _, f := range files {
		url := f.URL // a flow's file at an address
		if url == "" {
			url = link(f.ID)
		}
		out = append(out, fileJSON{ID: f.ID, Name: f.Name, MIMEType: f.MIMEType, Size: f.Size, URL: url})
	}
	return out
}

type uploadJSON struct {
	turnJSON
	File fileJSON `json:"file"`
}

// maxTextBytes bounds the text sent with a file.
const maxTextBytes = 64 << 10

// upload takes the visitor's file (multipart field "file", after an
// optional "text") into the dialog through the native API's use case:
// over the server's limit is 413, a type the waiting file question does
// not accept 415.
func (h *handlers) upload(c *gin.Context, d *store.Dialog) {
	finish := server.StreamingUpload(c, h.MaxUpload)
	text, part, err := readForm(c, h.MaxUpload)
	if err != nil {
		server.Fail(c, err)
		return
	}
	defer part.Close()
	up := dialogs.Upload{Name: part.FileName(), Type: part.Header.Get("Content-Type"), Body: part, MaxSize: h.MaxUpload, Text: text,
		Link: nativeLink(h.Deps)}
	turn, ref, err := h.Dialogs.UploadAnswer(c.Request.Context(), d, up)
	if err = finish(err); err != nil {
		server.Fail(c, err)
		return
	}
	link := h.fileLink(d, visitorToken(c))
	file := fileJSON{ID: ref.ID, Name: ref.Name, MIMEType: ref.MIMEType, Size: ref.Size, URL: link(ref.ID)}
	c.JSON(http.StatusOK, uploadJSON{turnJSON: turnOf(turn, link), File: file})
}

// nativeLink is the link the dialog keeps for an upload (in the question's
// variable and collected data): the native API's, which needs an
// operator's or a service's credentials, as if the file came through it.
// The visitor's link would put their token where operators, webhooks and
// the bot's services read.
func nativeLink(d server.Deps) linker {
	return func(id int64) string { return d.Link(fmt.Sprintf("/v1/files/%d", id)) }
}

// readForm reads an upload's form up to its file, whose bytes are stored
// as they are read: a "text" must come before it.
func readForm(c *gin.Context, limit int64) (string, *multipart.Part, error) {
	r, err := c.Request.MultipartReader()
	if err != nil {
		return "", nil, store.FieldErrorf(store.EMALFORMED, "file", `Send the file as multipart/form-data in a field named "file".`)
	}
	text := ""
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return "", nil, store.FieldErrorf(store.EMALFORMED, "file", `The form has no field named "file"; send the file in it.`)
		}
		if err != nil {
			return "", nil, server.UploadReadError(err, limit)
		}
		switch p.FormName() {
		case "file":
			return text, p, nil
		case "text":
			value, err := io.ReadAll(io.LimitReader(p, maxTextBytes+1))
			if err != nil {
				return "", nil, server.UploadReadError(err, limit)
			}
			if len(value) > maxTextBytes {
				return "", nil, store.FieldErrorf(store.EINVALID, "text", "The text is over %s; send a shorter one.", server.HumanSize(maxTextBytes))
			}
			text = string(value)
		}
		p.Close()
	}
}

// file sends the visitor one of their dialog's files: their own upload or
// one an operator sent. Another dialog's file is not found.
func (h *handlers) file(c *gin.Context, d *store.Dialog) {
	id, err := strconv.ParseInt(c.Param("file_id"), 10, 64)
	if err != nil {
		server.Fail(c, store.FieldErrorf(store.EINVALID, "file_id", "The file id must be an integer, got %q.", c.Param("file_id")))
		return
	}
	f, err := h.Store.File(c.Request.Context(), d.ProjectID, id)
	if err == nil && f.DialogID != d.ID {
		err = store.Errorf(store.ENOTFOUND, "This dialog has no file %d.", id)
	}
	if err != nil {
		server.Fail(c, err)
		return
	}
	h.SendFile(c, f, server.Fail)
}

// allowLink is allow for a file's link, which a browser may follow with
// neither Origin nor Referer (opened in a new tab, or from a page whose
// referrer policy is no-referrer): the token in the link is the key then.
// A page of an origin the channel does not allow is still refused.
func allowLink(c *gin.Context, ch *store.Channel) bool {
	if pageOrigin(c) == "" {
		return true
	}
	return allow(c, ch)
}
