// Package native is Parley's own /v1 API.
package native

import (
	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/server"
)

// Dialect is the /v1 API.
var Dialect = server.Dialect{Name: "native", Owns: []string{"/v1"}, Mount: mount, Fail: fail}

func mount(r *gin.Engine, d server.Deps) {
	h := &handlers{Deps: d}
	v1 := r.Group("/v1", server.Authenticate(d.Store, fail))
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
	v1.GET("/files/:id", server.ServeFile(d, fail))
}

type handlers struct {
	server.Deps
}
