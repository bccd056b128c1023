package server

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/blobs"
	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/store"
)

// maxFormField bounds a form field other than the file.
const maxFormField = 1 << 10

// UploadLimit is the largest file a request may upload: MaxUpload, or
// dialogs.DefaultMaxUpload when unset.
func (d Deps) UploadLimit() int64 {
	if d.MaxUpload > 0 {
		return d.MaxUpload
	}
	return dialogs.DefaultMaxUpload
}

// ReadUpload reads a multipart/form-data upload: the file in the field
// "file", whose bytes go to the blob directory, and the fields named in
// fields, in any order. The document it returns is not stored yet and has
// no project. A file over UploadLimit is ETOOLARGE (413); a body that is
// not such a form EMALFORMED, whose message shows hint, the form to send.
func (d Deps) ReadUpload(c *gin.Context, fields map[string]*string, hint string) (*store.Document, error) {
	done := readingBody(c, BodyDeadlines.Upload)
	doc, err := d.readUpload(c, fields, hint)
	if err == nil {
		done()
	}
	return doc, err
}

func (d Deps) readUpload(c *gin.Context, fields map[string]*string, hint string) (*store.Document, error) {
	limit := d.UploadLimit()
	// The whole form may be a little larger than the file; no more.
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit+1<<20)
	r, err := c.Request.MultipartReader()
	if err != nil {
		return nil, store.Errorf(store.EMALFORMED, "Send multipart/form-data with %s.", hint)
	}
	var doc *store.Document
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, UploadReadError(err, limit)
		}
		if p.FormName() == "file" {
			if doc, err = d.storeBlob(p, limit); err != nil {
				return nil, err
			}
		} else if field, ok := fields[p.FormName()]; ok {
			value, err := io.ReadAll(io.LimitReader(p, maxFormField))
			if err != nil {
				return nil, UploadReadError(err, limit)
			}
			*field = strings.TrimSpace(string(value))
		}
		p.Close()
	}
	if doc == nil {
		return nil, store.Errorf(store.EMALFORMED, "The form has no field named \"file\"; send %s.", hint)
	}
	return doc, nil
}

// storeBlob keeps a file part's bytes and returns its record.
func (d Deps) storeBlob(p *multipart.Part, limit int64) (*store.Document, error) {
	sum, size, err := d.Files.Put(p, limit)
	var bad *blobs.ReadError
	switch {
	case errors.Is(err, blobs.ErrTooLarge):
		return nil, tooLarge(limit)
	case errors.As(err, &bad):
		return nil, UploadReadError(bad.Err, limit)
	case err != nil:
		return nil, err // the disk's: an internal error, whose path the client is not shown
	}
	name := p.FileName()
	if name == "" {
		name = "file"
	}
	return &store.Document{Name: name, MIMEType: partType(p.Header.Get("Content-Type")), Size: size, SHA256: sum}, nil
}

// partType is the type the client declared, or application/octet-stream
// when it declared none or a malformed one; indexing then goes by the
// file's extension and content.
func partType(declared string) string {
	mt, params, err := mime.ParseMediaType(declared)
	if err != nil || !strings.Contains(mt, "/") {
		return "application/octet-stream"
	}
	return mime.FormatMediaType(mt, params)
}

// StreamingUpload gives a handler that streams an upload's file part
// itself (into a dialog) what ReadUpload has: the body's read deadline,
// and finish, which lifts it once the handler is done with the body and
// turns a failure reading the client's form (a *blobs.ReadError) into the
// client's error: 413 over limit, 400 saying what went wrong, never 500.
// Other errors pass as they are.
func StreamingUpload(c *gin.Context, limit int64) (finish func(error) error) {
	done := readingBody(c, BodyDeadlines.Upload)
	return func(err error) error {
		var bad *blobs.ReadError
		switch {
		case err == nil:
			done()
		case errors.As(err, &bad):
			return UploadReadError(bad.Err, limit)
		}
		return err
	}
}

// UploadReadError explains a failure reading the form: a body over the
// limit is 413, one that stalled past its deadline a 400 that says so,
// anything else a 400.
func UploadReadError(err error, limit int64) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return tooLarge(limit)
	}
	if slow := bodyTooSlow(err, BodyDeadlines.Upload); slow != nil {
		return slow
	}
	return store.Errorf(store.EMALFORMED, "Reading the form failed: %v.", err)
}

func tooLarge(limit int64) error {
	return store.FieldErrorf(store.ETOOLARGE, "file", "The file is larger than %s, the upload limit; split it into smaller files.", HumanSize(limit))
}
