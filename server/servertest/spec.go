package servertest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"

	"github.com/parleyhq/parley/schemas"
)

// The spec check: every response a test server gives, and every request it
// accepts, is validated against schemas/openapi.yaml, so a shape changed
// without the spec fails the tests that touch it. Requests answered with
// an error are not validated: tests send bad input on purpose, and what
// must hold then is that the error itself is documented.

// maxChecked is the largest body validated; bigger ones (file downloads)
// are checked by status and content type only.
const maxChecked = 4 << 20

var (
	specOnce sync.Once
	spec     *SpecCheck
	specErr  error
)

// Spec returns the validator of schemas/openapi.yaml, built once per
// test binary (building it parses the whole document).
func Spec() (*SpecCheck, error) {
	specOnce.Do(func() { spec, specErr = NewSpecCheck(schemas.OpenAPI) })
	return spec, specErr
}

// SpecCheck validates requests and responses against an OpenAPI document.
type SpecCheck struct {
	mu sync.Mutex // the validator's caches are not documented as safe for concurrent use
	v  validator.Validator
}

// NewSpecCheck builds a check of the OpenAPI 3.1 document doc.
func NewSpecCheck(doc []byte) (*SpecCheck, error) {
	d, err := libopenapi.NewDocument(doc)
	if err != nil {
		return nil, err
	}
	v, errs := validator.NewValidator(d, config.WithFormatAssertions())
	if len(errs) > 0 {
		return nil, fmt.Errorf("building the validator: %v", errs)
	}
	if ok, problems := v.ValidateDocument(); !ok {
		return nil, fmt.Errorf("the document is not valid OpenAPI: %s", describe(problems))
	}
	return &SpecCheck{v: v}, nil
}

// Exchange is one request and its response, bodies read.
type Exchange struct {
	Request     *http.Request
	RequestBody []byte
	Status      int
	Header      http.Header
	Body        []byte
	Truncated   bool // the body was too big to check
}

// Problems lists how the exchange departs from the document: empty when
// it conforms.
func (s *SpecCheck) Problems(x Exchange) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.unrouted(x) {
		return nil
	}
	var out []string
	if x.Status < 400 {
		req := x.Request.Clone(x.Request.Context())
		req.Body = io.NopCloser(bytes.NewReader(x.RequestBody))
		if ok, errs := s.v.ValidateHttpRequestSync(req); !ok {
			out = append(out, "request: "+describe(errs))
		}
	}
	if x.Truncated || isStream(x.Header) {
		// The body is not read: check its status and content type only.
		if problem := s.statusAndType(x); problem != "" {
			out = append(out, problem)
		}
		return out
	}
	resp := &http.Response{StatusCode: x.Status, Header: x.Header, Body: io.NopCloser(bytes.NewReader(x.Body)), Request: x.Request}
	if ok, errs := s.v.ValidateHttpResponse(x.Request, resp); !ok {
		out = append(out, "response: "+describe(errs))
	}
	return out
}

// unrouted says whether x is the 404 of a path the document does not
// have: every dialect's answer to a path no route serves, not a route to
// document.
func (s *SpecCheck) unrouted(x Exchange) bool {
	if x.Status != http.StatusNotFound {
		return false
	}
	_, errs := s.v.ValidateHttpRequestSync(x.Request)
	for _, e := range errs {
		if e.ValidationType == "path" {
			return true
		}
	}
	return false
}

// statusAndType checks only that the status and content type of a
// response whose body is not validated are documented.
func (s *SpecCheck) statusAndType(x Exchange) string {
	resp := &http.Response{StatusCode: x.Status, Header: x.Header, Body: io.NopCloser(strings.NewReader("")), Request: x.Request}
	ok, errs := s.v.ValidateHttpResponse(x.Request, resp)
	if ok {
		return ""
	}
	var kept []string
	for _, e := range errs {
		if e.ValidationSubType == "body" || strings.Contains(strings.ToLower(e.Message), "body") {
			continue // an empty body stands in for the one not read
		}
		kept = append(kept, e.Message+": "+e.Reason)
	}
	if len(kept) == 0 {
		return ""
	}
	return "response: " + strings.Join(kept, "; ")
}

func isStream(h http.Header) bool {
	return strings.HasPrefix(h.Get("Content-Type"), "text/event-stream")
}

func describe[E interface{ Error() string }](errs []E) string {
	parts := make([]string, 0, len(errs))
	for _, e := range errs {
		parts = append(parts, e.Error())
	}
	return strings.Join(parts, "; ")
}

// recorder passes a response through and keeps a copy of it.
type recorder struct {
	http.ResponseWriter
	status    int
	body      bytes.Buffer
	truncated bool
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if r.body.Len()+len(p) <= maxChecked {
		r.body.Write(p)
	} else {
		r.truncated = true
	}
	return r.ResponseWriter.Write(p)
}

// Flush keeps event streams streaming.
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Hijack lets a WebSocket upgrade through (Gin hijacks its writer's
// writer); the exchange is checked as its 101.
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if r.status == 0 {
		r.status = http.StatusSwitchingProtocols
	}
	return http.NewResponseController(r.ResponseWriter).Hijack()
}

// checked wraps h so that every exchange is checked; report receives
// each one that departs from the document.
func (s *SpecCheck) checked(h http.Handler, report func(x Exchange, problems []string)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var reqBody []byte
		if r.Body != nil {
			reqBody, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(reqBody))
		}
		// The handler may change r (Gin keeps it); validate what was sent.
		sent := r.Clone(r.Context())
		rec := &recorder{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		if rec.status == 0 {
			rec.status = http.StatusOK
		}
		x := Exchange{Request: sent, RequestBody: reqBody, Status: rec.status, Header: w.Header().Clone(), Body: rec.body.Bytes(), Truncated: rec.truncated}
		if problems := s.Problems(x); len(problems) > 0 {
			report(x, problems)
		}
	})
}
