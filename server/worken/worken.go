// Package worken is the Worken-compatible API
// (shared/seeds/000_65d95d1bb30ee9f5.txt): so far its knowledge bases,
// OpenAI's vector store API, and the OpenAI file upload it needs, shaped so
// that both Worken's documented types and the official openai SDK read
// them.
package worken

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// maxJSONBody bounds a JSON request body.
const maxJSONBody = 1 << 20

// Mount adds the Worken routes. Every one needs `Authorization: Bearer
// sk-...`, a project API key; d.Knowledge must be set.
func Mount(r *gin.Engine, d server.Deps) {
	if d.Knowledge == nil {
		panic("worken.Mount: server.Deps.Knowledge is nil; the vector store API needs a knowledge.Library")
	}
	h := &handlers{Deps: d}
	g := r.Group("/", requireAPIKey, server.Authenticate(d.Store, fail))
	g.POST("/files", h.uploadFile)
	g.GET("/files", h.listUploads)
	g.GET("/files/:file_id", h.file)
	g.DELETE("/files/:file_id", h.deleteUpload)
	g.POST("/vector_stores", h.createStore)
	g.GET("/vector_stores", h.listStores)
	g.GET("/vector_stores/:id", h.getStore)
	g.POST("/vector_stores/:id", h.updateStore)
	g.DELETE("/vector_stores/:id", h.deleteStore)
	g.POST("/vector_stores/:id/files", h.addFile)
	g.GET("/vector_stores/:id/files", h.listFiles)
	g.GET("/vector_stores/:id/files/:file_id", h.getFile)
	g.DELETE("/vector_stores/:id/files/:file_id", h.deleteFile)
}

type handlers struct {
	server.Deps
}

var errNoAPIKey = &httpError{status: http.StatusUnauthorized,
	message: "Send your project API key as `Authorization: Bearer sk-...`."}

// requireAPIKey lets through only `Authorization: Bearer sk-...`: the
// Worken API takes project API keys, not passwords or session tokens.
// server.Authenticate then checks the key.
func requireAPIKey(c *gin.Context) {
	scheme, key, _ := strings.Cut(c.GetHeader("Authorization"), " ")
	if !strings.EqualFold(scheme, "bearer") || !strings.HasPrefix(strings.TrimSpace(key), store.APIKeyScheme) {
		fail(c, errNoAPIKey)
	}
}

// project is the caller's project.
func project(c *gin.Context) int64 { return server.CallerOf(c).ProjectID }

// bindJSON decodes the body, a JSON object, into v. A missing body, one
// that is not JSON or one with a field of the wrong type is a 400 that
// shows an example; fields v does not have are ignored, as OpenAI clients
// send some (metadata, expires_after) Parley does not keep.
func bindJSON(c *gin.Context, v any, example string) error {
	data, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, maxJSONBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return &httpError{status: http.StatusRequestEntityTooLarge, message: "The body is over 1 MiB."}
	}
	if err != nil {
		return badBody("Reading the body failed: %v.", err)
	}
	if t := bytes.TrimSpace(data); len(t) == 0 || t[0] != '{' {
		return badBody("The body must be a JSON object, like %s.", example)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return badBody("%q must be %s, not a JSON %s; send a body like %s.", typeErr.Field, jsonKind(typeErr.Type.Kind().String()), typeErr.Value, example)
		}
		return badBody("The body is not valid JSON (%v); send a body like %s.", err, example)
	}
	if dec.More() {
		return badBody("The body has more than one JSON value; send one object like %s.", example)
	}
	return nil
}

// jsonKind names a Go kind as the JSON type a client sends.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "slice", "array":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	case "bool":
		return "true or false"
	}
	return "a number"
}
