// Package native is Parley's own /v1 API.
package native

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/server"
)

// Mount adds the /v1 routes.
func Mount(r *gin.Engine, d server.Deps) {
	h := &handlers{Deps: d}
	v1 := r.Group("/v1", server.Authenticate(d.Store, server.Error))
	v1.PUT("/bots/:slug/flow", h.publish)
	v1.GET("/bots/:slug/flow", h.flow)
	v1.GET("/bots/:slug/versions", h.versions)
	v1.POST("/bots/:slug/dialogs", h.createDialog)
	v1.GET("/dialogs/:id", h.dialog)
	v1.POST("/dialogs/:id/start", h.start)
	v1.POST("/dialogs/:id/messages", h.message)
	v1.POST("/dialogs/:id/operator", h.operator)
	v1.POST("/dialogs/:id/files", h.upload)
	v1.POST("/dialogs/:id/approvals/:approval", h.approval)
	v1.GET("/dialogs/:id/events", h.events)
	r.NoRoute(func(c *gin.Context) {
		server.ErrorWith(c, http.StatusNotFound, "NOT_FOUND", "There is no route "+c.Request.Method+" "+c.Request.URL.Path+".", nil)
	})
}

type handlers struct {
	server.Deps
}
