package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/store"
)

// MaxJSONBody bounds a JSON request body unless a route says otherwise.
const MaxJSONBody = 1 << 20

// Body says how BindJSON reads a request's body.
type Body struct {
	// Example is a body the route takes, shown in errors.
	Example string
	// Optional makes an empty body an empty request; otherwise it is
	// EMALFORMED.
	Optional bool
	// Limit is the largest body in bytes; 0 means MaxJSONBody.
	Limit int64
}

// BindJSON decodes the request's body, one JSON object, into v. A body
// that cannot be read as one (not JSON, a field of the wrong type, two
// values) is EMALFORMED with a message showing b.Example; one over the
// limit is ETOOLARGE. Fields v does not have are ignored.
func BindJSON(c *gin.Context, v any, b Body) error {
	limit := b.Limit
	if limit <= 0 {
		limit = MaxJSONBody
	}
	data, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, limit))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return store.Errorf(store.ETOOLARGE, "The body is over %s; send a smaller one.", HumanSize(limit))
	}
	if err != nil {
		return store.Errorf(store.EMALFORMED, "Reading the body failed: %v.", err)
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 && b.Optional {
		return nil
	}
	if len(data) == 0 || data[0] != '{' {
		return store.Errorf(store.EMALFORMED, "The body must be a JSON object, like %s.", b.Example)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && typeErr.Field != "" {
			return store.Errorf(store.EMALFORMED, "%q must be %s, not a JSON %s; send a body like %s.", typeErr.Field, jsonKind(typeErr.Type.Kind().String()), typeErr.Value, b.Example)
		}
		return store.Errorf(store.EMALFORMED, "The body is not valid JSON (%v); send a body like %s.", err, b.Example)
	}
	if dec.More() {
		return store.Errorf(store.EMALFORMED, "The body has more than one JSON value; send one object like %s.", b.Example)
	}
	return nil
}

// HumanSize says n bytes the way people read it: "1 MiB".
func HumanSize(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + " MiB"
	}
	if n >= 1<<10 && n%(1<<10) == 0 {
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
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
