// Package botone is the Bot.one-compatible API: dialogs API v1 and v2 and
// the Vertex API for custom blocks (shared/seeds/001_0abbc7353b628384.txt).
package botone

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// Dialect is the Bot.one API: dialogs v1 and v2, and Vertex.
var Dialect = server.Dialect{Name: "botone", Owns: []string{"/api/v1", "/api/v2", "/api/vertex"}, Mount: mount, Fail: fail}

func mount(r *gin.Engine, d server.Deps) {
	v := &vertex{Deps: d}
	r.POST("/api/vertex/v1/complete", v.complete)
	r.POST("/api/vertex/v1/dialog/send_message", v.sendMessage)
	r.POST("/api/vertex/v1/send_message", v.sendMessage) // the path of the document's overview table
	(&api{Deps: d}).mount(r)
}

// errorBody is how Bot.one errors are rendered; the document gives only
// status codes, so the body just says what happened.
type errorBody struct {
	Message string `json:"message"`
}

// fail renders err with the status the one error table gives it, except
// that acting on a dialog whose state forbids it is 403, as the document
// says ("... deletion or completion of the dialog").
func fail(c *gin.Context, err error) {
	server.Failing(c, err)
	status := server.Status(err)
	if store.ErrorCode(err) == store.ECONFLICT {
		status = http.StatusForbidden
	}
	c.AbortWithStatusJSON(status, errorBody{Message: store.ErrorMessage(err)})
}
