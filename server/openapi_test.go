package server_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"gopkg.in/yaml.v3"

	"github.com/parleyhq/parley/knowledge"
	"github.com/parleyhq/parley/metrics"
	"github.com/parleyhq/parley/schemas"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/server/botone"
	"github.com/parleyhq/parley/server/flowise"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/replyx"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/server/widget"
	"github.com/parleyhq/parley/server/worken"
)

// dialects are every dialect parley serves; a new one goes here so its
// routes are held to the spec.
var dialects = []server.Dialect{native.Dialect, botone.Dialect, worken.Dialect, widget.Dialect, replyx.Dialect, flowise.Dialect}

// ginParam is a Gin path parameter, `:id` or `*path`.
var ginParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

// routed lists "METHOD /path/{param}" for every route of the router that
// parley serves with every dialect mounted.
func routed(t *testing.T) []string {
	t.Helper()
	m := metrics.New()
	defer m.Close()
	h, err := server.New(server.Deps{Knowledge: &knowledge.Library{}, Metrics: m, MetricsOnMainRouter: true}, dialects...)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range h.(*gin.Engine).Routes() {
		out = append(out, r.Method+" "+ginParam.ReplaceAllString(r.Path, "{$1}"))
	}
	return out
}

// documented lists "METHOD /path" for every operation of the spec.
func documented(t *testing.T) []string {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]yaml.Node `yaml:"paths"`
	}
	if err := yaml.Unmarshal(schemas.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	methods := []string{"get", "put", "post", "delete", "patch", "head", "options", "trace"}
	var out []string
	for path, item := range doc.Paths {
		for key := range item {
			if slices.Contains(methods, key) {
				out = append(out, strings.ToUpper(key)+" "+path)
			}
		}
	}
	return out
}

// TestRoutesDocumented holds the router and schemas/openapi.yaml to each
// other: a route nobody documented does not exist for users, and a
// documented one nobody serves is a promise broken.
func TestRoutesDocumented(t *testing.T) {
	routes, ops := routed(t), documented(t)
	if len(routes) < 40 {
		t.Fatalf("only %d routes mounted: not every dialect is", len(routes))
	}
	for _, r := range routes {
		if !slices.Contains(ops, r) {
			t.Errorf("%s is routed but not in schemas/openapi/*.yaml: document it (then `make schemas`)", r)
		}
	}
	for _, op := range ops {
		if !slices.Contains(routes, op) {
			t.Errorf("%s is in schemas/openapi.yaml but no route serves it", op)
		}
	}
}

// TestDocsServed: the document is served as YAML and as JSON, and /docs
// is a page that reads it with the bundled viewer.
func TestDocsServed(t *testing.T) {
	e := servertest.New(t, dialects...)
	if r := e.Do("GET", "/openapi.yaml", "", nil); r.Status != http.StatusOK || string(r.Body) != string(schemas.OpenAPI) {
		t.Errorf("/openapi.yaml: %d, %d bytes", r.Status, len(r.Body))
	}
	r := e.Do("GET", "/openapi.json", "", nil)
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	r.JSON(t, &doc)
	if doc.OpenAPI != "3.1.0" || doc.Paths["/v1/dialogs/{id}/messages"] == nil {
		t.Errorf("/openapi.json: openapi %q, %d paths", doc.OpenAPI, len(doc.Paths))
	}
	page := e.Do("GET", "/docs", "", nil)
	if page.Status != http.StatusOK || !strings.Contains(string(page.Body), `spec-url="/openapi.json"`) || !strings.Contains(string(page.Body), `src="/docs/redoc.js"`) {
		t.Errorf("/docs: %d %s", page.Status, page.Body)
	}
	viewer := e.Do("GET", "/docs/redoc.js", "", nil)
	if viewer.Status != http.StatusOK || !strings.HasPrefix(viewer.Header.Get("Content-Type"), "text/javascript") || len(viewer.Body) < 100_000 {
		t.Errorf("/docs/redoc.js: %d %s, %d bytes", viewer.Status, viewer.Header.Get("Content-Type"), len(viewer.Body))
	}
	if strings.Contains(string(page.Body), "https://") {
		t.Error("/docs loads something from another host; the viewer is served from the binary")
	}
}
