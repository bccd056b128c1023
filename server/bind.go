package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/store"
)

// MaxJSONBody bounds a JSON request body unless a route says otherwise.
const MaxJSONBody = 1 << 20

// MaxJSONDepth bounds how deep a JSON body nests objects and arrays: no
// request of any dialect needs more, and a body of a million brackets
// would otherwise cost the decoder's stack and time before any check.
const MaxJSONDepth = 64

// BodyDeadlines bound how long reading a request's body may take: a
// client trickling a byte now and then would otherwise hold a connection
// and a handler for as long as it likes. The server has no read timeout of
// its own, which would cut event streams and WebSockets too. Tests
// shorten them.
var BodyDeadlines = struct{ JSON, Upload time.Duration }{JSON: 30 * time.Second, Upload: 5 * time.Minute}

// readingBody sets the connection's read deadline d from now, for reading
// a request's body, and returns what lifts it again once the body is read,
// so that a handler that goes on to stream for hours is not cut. A body
// not read whole must keep it: the server reads what is left of a body
// before it answers, and would wait on a stalled client for good. Where
// the connection has no deadlines (a test's recorder) it does nothing.
func readingBody(c *gin.Context, d time.Duration) (done func()) {
	rc := http.NewResponseController(c.Writer)
	if rc.SetReadDeadline(time.Now().Add(d)) != nil {
		return func() {}
	}
	return func() { _ = rc.SetReadDeadline(time.Time{}) }
}

// bodyTooSlow is the error of a body that did not arrive within d.
func bodyTooSlow(err error, d time.Duration) error {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return store.Errorf(store.EMALFORMED, "The body did not arrive within %v; send it at once.", d)
	}
	return nil
}

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
	done := readingBody(c, BodyDeadlines.JSON)
	data, err := io.ReadAll(http.MaxBytesReader(c.Writer, c.Request.Body, limit))
	if err == nil {
		done()
	}
	if slow := bodyTooSlow(err, BodyDeadlines.JSON); slow != nil {
		return slow
	}
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
	if JSONDepth(data) > MaxJSONDepth {
		return store.Errorf(store.EMALFORMED, "The body nests objects and arrays deeper than %d levels; send a flatter one, like %s.", MaxJSONDepth, b.Example)
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

// JSONDepth is how deep data nests objects and arrays, brackets inside
// strings aside; it does not check that data is JSON (the decoder does).
// JSON a body carries in a string (Bot.one's variables) is checked against
// MaxJSONDepth with it.
func JSONDepth(data []byte) int {
	depth, deepest, inString, escaped := 0, 0, false, false
	for _, c := range data {
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}
