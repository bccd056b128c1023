package native

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/server"
)

// projectJSON is the caller's project and its settings.
type projectJSON struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// AllowedOrigins are the web origins whose pages may call the API
	// with this project's credentials (CORS).
	AllowedOrigins []string `json:"allowed_origins"`
}

type projectRequest struct {
	AllowedOrigins *[]string `json:"allowed_origins"` // absent: unchanged; []: none
}

// project is GET /v1/project: the caller's project.
func (h *handlers) project(c *gin.Context) {
	h.answerProject(c, nil)
}

// updateProject is PATCH /v1/project: it replaces the settings the body
// names (the allowed origins).
func (h *handlers) updateProject(c *gin.Context) {
	var req projectRequest
	if !bind(c, &req, `{"allowed_origins": ["https://app.example.com"]}`) {
		return
	}
	if req.AllowedOrigins == nil {
		h.answerProject(c, nil)
		return
	}
	origins, err := h.Store.SetProjectOrigins(c.Request.Context(), server.CallerOf(c).ProjectID, *req.AllowedOrigins)
	if err != nil {
		fail(c, err)
		return
	}
	server.ForgetOrigins()
	h.answerProject(c, origins)
}

// answerProject answers the caller's project, with origins when they are
// known already.
func (h *handlers) answerProject(c *gin.Context, origins []string) {
	ctx, id := c.Request.Context(), server.CallerOf(c).ProjectID
	p, err := h.Store.Project(ctx, id)
	if err == nil && origins == nil {
		origins, err = h.Store.ProjectOrigins(ctx, id)
	}
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, projectJSON{ID: p.ID, Name: p.Name, AllowedOrigins: origins})
}
