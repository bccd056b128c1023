package server

import (
	"io/fs"
	"mime"
	"net/http"
	"path"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/web"
)

// mountUI serves the web app at /ui (/ui/ redirects there): index.html, which routes by the
// URL's hash, and its assets, whose names carry a hash of their content
// and so are cached for good.
func mountUI(r *gin.Engine) {
	app := web.Dist()
	index, err := fs.ReadFile(app, "index.html")
	r.GET("/ui", func(c *gin.Context) {
		if err != nil {
			Fail(c, err)
			return
		}
		c.Header("Cache-Control", "no-cache")
		appHeaders(c)
		c.Data(http.StatusOK, "text/html; charset=utf-8", index)
	})
	r.GET("/ui/assets/:file", func(c *gin.Context) {
		name := path.Join("assets", c.Param("file"))
		data, err := fs.ReadFile(app, name)
		if err != nil {
			Fail(c, store.Errorf(store.ENOTFOUND, "The web app has no file %s; reload /ui/ to get the current one.", name))
			return
		}
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
		c.Data(http.StatusOK, mime.TypeByExtension(path.Ext(name)), data)
	})
}
