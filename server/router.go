package server

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/blobs"
	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/events"
	"github.com/parleyhq/parley/knowledge"
	"github.com/parleyhq/parley/store"
)

// Deps are what the HTTP layer needs.
type Deps struct {
	Store     store.Store
	Dialogs   *dialogs.Service
	Logger    *slog.Logger
	Files     blobs.Dir // where uploaded files are kept
	MaxUpload int64     // bytes; 0 means DefaultMaxUpload
	Knowledge *knowledge.Library
	Bus       events.Bus // what event streams read; nil: none
}

// DefaultMaxUpload is the largest file a user may upload unless configured.
const DefaultMaxUpload = 20 << 20

// Dialect mounts one API dialect on the router.
type Dialect func(r *gin.Engine, d Deps)

// New returns the HTTP handler with every given dialect mounted.
func New(d Deps, dialects ...Dialect) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.CustomRecovery(func(c *gin.Context, err any) {
		slog.Error("panic serving request", "path", c.Request.URL.Path, "panic", err)
		ErrorWith(c, http.StatusInternalServerError, "INTERNAL", "Internal error.", nil)
	}))
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	for _, mount := range dialects {
		mount(r, d)
	}
	return r
}
