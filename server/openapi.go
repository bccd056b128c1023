package server

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/schemas"
	"github.com/parleyhq/parley/server/apidocs"
)

// mountDocs serves the OpenAPI document and its reader: /openapi.yaml,
// /openapi.json and /docs.
func mountDocs(r *gin.Engine) error {
	asJSON, err := schemas.OpenAPIJSON()
	if err != nil {
		return err
	}
	r.GET("/openapi.yaml", func(c *gin.Context) { c.Data(http.StatusOK, "application/yaml", schemas.OpenAPI) })
	r.GET("/openapi.json", func(c *gin.Context) { c.Data(http.StatusOK, "application/json", asJSON) })
	r.GET("/docs", func(c *gin.Context) { c.Data(http.StatusOK, "text/html; charset=utf-8", apidocs.Page) })
	r.GET("/docs/redoc.js", func(c *gin.Context) {
		c.Header("Cache-Control", "public, max-age=3600")
		c.Data(http.StatusOK, "text/javascript; charset=utf-8", apidocs.Viewer)
	})
	return nil
}
