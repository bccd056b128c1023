package server

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/store"
)

// ServeFile streams a project's uploaded file with its type and name;
// fail renders errors in the caller's dialect.
func ServeFile(d Deps, fail func(c *gin.Context, err error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := strconv.ParseInt(c.Param("id"), 10, 64)
		if err != nil {
			fail(c, store.FieldErrorf(store.EINVALID, "id", "The file id must be an integer, got %q.", c.Param("id")))
			return
		}
		f, err := d.Store.File(c.Request.Context(), CallerOf(c).ProjectID, id)
		if err != nil {
			fail(c, err)
			return
		}
		d.SendFile(c, f, fail)
	}
}

// SendFile streams f's bytes with its type, and its name as an attachment
// (a browser downloads it rather than render it).
func (d Deps) SendFile(c *gin.Context, f *store.File, fail func(c *gin.Context, err error)) {
	blob, err := d.Files.Open(f.SHA256)
	if err != nil {
		fail(c, fmt.Errorf("opening file %d: %w", f.ID, err))
		return
	}
	defer blob.Close()
	c.Header("Content-Type", f.MIMEType)
	c.Header("Content-Length", strconv.FormatInt(f.Size, 10))
	c.Header("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
	c.Status(http.StatusOK)
	_, _ = io.Copy(c.Writer, blob)
}

// Link is the absolute URL of path on this server: PublicURL joined with
// path, never the request's Host header, which a client chooses.
func (d Deps) Link(path string) string {
	return strings.TrimSuffix(d.PublicURL, "/") + path
}
