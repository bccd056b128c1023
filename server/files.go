package server

import (
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/store"
)

// ServeFile streams a project's uploaded file with its type and name;
// fail renders errors in the caller's dialect.
func ServeFile(d Deps, fail func(c *gin.Context, err error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		id, err := strconv.ParseInt(c.Param("id"), 10, 64)
		if err != nil {
			fail(c, store.Errorf(store.EINVALID, "The file id must be an integer, got %q.", c.Param("id")))
			return
		}
		f, err := d.Store.File(c.Request.Context(), CallerOf(c).ProjectID, id)
		if err != nil {
			fail(c, err)
			return
		}
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
}

// FileURL is where a file can be downloaded, on the host the request came to.
func FileURL(c *gin.Context, id int64) string {
	scheme := "http"
	if c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	u := url.URL{Scheme: scheme, Host: c.Request.Host, Path: fmt.Sprintf("/api/v2/file/%d", id)}
	return u.String()
}
