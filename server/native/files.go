package native

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/blobs"
	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/nodes"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// upload takes a file (multipart field "file") from the user, stores it
// and sends it into the dialog as a message: the answer to a file question.
// Too large is 413; a type the waiting question does not accept is 415.
func (h *handlers) upload(c *gin.Context) {
	d, ok := h.lookup(c)
	if !ok {
		return
	}
	limit := h.MaxUpload
	if limit <= 0 {
		limit = server.DefaultMaxUpload
	}
	part, err := filePart(c)
	if err != nil {
		server.Error(c, err)
		return
	}
	defer part.Close()
	body := bufio.NewReader(part)
	mimeType := partType(part.Header.Get("Content-Type"), body)
	if accept := h.accepted(c, d); !engine.Accepts(accept, mimeType) {
		server.ErrorWith(c, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE",
			fmt.Sprintf("This question accepts %s; the file is %s.", strings.Join(accept, ", "), mimeType), nil)
		return
	}
	sum, size, err := h.Files.Put(body, limit)
	if errors.Is(err, blobs.ErrTooLarge) {
		server.ErrorWith(c, http.StatusRequestEntityTooLarge, "FILE_TOO_LARGE",
			fmt.Sprintf("The file is larger than %d MiB; send a smaller one.", limit>>20), nil)
		return
	}
	if err != nil {
		server.Error(c, err)
		return
	}
	f := &store.File{ProjectID: d.ProjectID, DialogID: d.ID, Name: fileName(part.FileName()), MIMEType: mimeType, Size: size, SHA256: sum}
	if err := h.Store.CreateFile(c.Request.Context(), f); err != nil {
		server.Error(c, err)
		return
	}
	ref := &engine.FileRef{ID: f.ID, Name: f.Name, MIMEType: f.MIMEType, Size: f.Size, URL: server.FileURL(c, f.ID)}
	in := engine.MessageInput{File: ref, StoredThrough: d.StoredThrough}
	turn, err := h.Dialogs.Update(c.Request.Context(), d, engine.UpdateMessage, "", in)
	if err != nil {
		server.Error(c, err)
		return
	}
	c.JSON(http.StatusOK, uploadJSON{turnJSON: turnOf(d, turn), File: ref})
}

type uploadJSON struct {
	turnJSON
	File *engine.FileRef `json:"file"`
}

// filePart finds the multipart part named "file".
func filePart(c *gin.Context) (*multipart.Part, error) {
	r, err := c.Request.MultipartReader()
	if err != nil {
		return nil, store.Errorf(store.EINVALID, "Send the file as multipart/form-data in a field named \"file\".")
	}
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return nil, store.Errorf(store.EINVALID, "The form has no field named \"file\".")
		}
		if err != nil {
			return nil, store.Errorf(store.EINVALID, "Reading the form failed: %v.", err)
		}
		if p.FormName() == "file" {
			return p, nil
		}
		p.Close()
	}
}

// partType is the declared type, or the sniffed one when the client sent
// none or a generic one.
func partType(declared string, body *bufio.Reader) string {
	if t, _, err := mime.ParseMediaType(declared); err == nil && t != "application/octet-stream" {
		return t
	}
	head, _ := body.Peek(512)
	t, _, _ := mime.ParseMediaType(http.DetectContentType(head))
	return t
}

func fileName(name string) string {
	if name == "" {
		return "file"
	}
	return name
}

// accepted is the `accept` list of the file question the dialog waits at,
// or nil (anything) when it waits for something else.
func (h *handlers) accepted(c *gin.Context, d *store.Dialog) []string {
	bot, err := h.Store.BotByID(c.Request.Context(), d.ProjectID, d.BotID)
	if err != nil {
		return nil
	}
	v, err := h.Store.FlowVersion(c.Request.Context(), bot.ID, d.Version)
	if err != nil {
		return nil
	}
	flow, err := engine.LoadFlow(engine.FlowRef{BotID: bot.ID, Slug: bot.Slug, Version: v.Version, Source: v.Source})
	if err != nil || flow.Node(d.Node) == nil {
		return nil
	}
	if q, ok := flow.Node(d.Node).Config.(*nodes.Question); ok && q.Input.Type == nodes.InputFile {
		return q.Input.Accept
	}
	return nil
}
