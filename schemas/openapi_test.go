package schemas

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"
)

func TestOpenAPIUpToDate(t *testing.T) {
	joined, err := JoinOpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(joined, OpenAPI) {
		t.Fatal("schemas/openapi.yaml differs from its parts in schemas/openapi/: run `make schemas` and commit the result")
	}
}

func TestOpenAPIJSON(t *testing.T) {
	data, err := OpenAPIJSON()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" || doc.Paths["/healthz"] == nil {
		t.Fatalf("openapi %q, /healthz %v: not the document", doc.OpenAPI, doc.Paths["/healthz"])
	}
}

func TestJoinRefusesDuplicates(t *testing.T) {
	base := "openapi: 3.1.0\npaths:\n  /a: {}\ncomponents:\n  schemas:\n    A: {}\n"
	for name, part := range map[string]string{
		"path":      "paths:\n  /a: {}\n",
		"component": "components:\n  schemas:\n    A: {}\n",
	} {
		fsys := fstest.MapFS{"p/base.yaml": {Data: []byte(base)}, "p/x.yaml": {Data: []byte(part)}}
		_, err := join(fsys, "p")
		if err == nil || !strings.Contains(err.Error(), "p/x.yaml:") || !strings.Contains(err.Error(), "defined in p/base.yaml") {
			t.Errorf("a duplicate %s: got %v, want an error naming both parts", name, err)
		}
	}
}

func TestJoinMergesParts(t *testing.T) {
	fsys := fstest.MapFS{
		"p/base.yaml": {Data: []byte("openapi: 3.1.0\npaths:\n  /a: {}\n")},
		"p/b.yaml":    {Data: []byte("paths:\n  /b: {}\ncomponents:\n  schemas:\n    B: {}\ntags:\n  - name: B\n")},
		"p/c.yaml":    {Data: []byte("info: {}\n")},
	}
	if _, err := join(fsys, "p"); err == nil || !strings.Contains(err.Error(), `not "info"`) {
		t.Fatalf("a part with a head: got %v", err)
	}
	delete(fsys, "p/c.yaml")
	out, err := join(fsys, "p")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"/a: {}", "/b: {}", "B: {}", "- name: B"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("joined document lacks %q:\n%s", want, out)
		}
	}
}
