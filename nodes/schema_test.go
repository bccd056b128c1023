package nodes

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/parleyhq/parley/flows"
)

const schemaPath = "../schemas/flow.schema.json"

func TestSchemaIsUpToDate(t *testing.T) {
	want, err := flows.JSONSchema(Language())
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale; run `make schemas` and commit the result", schemaPath)
	}
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(flows.SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(flows.SchemaID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// yamlToJSON decodes YAML into the values the schema validator expects.
func yamlToJSON(t *testing.T, src []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(src, &v); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestExamplesMatchSchema(t *testing.T) {
	s := compileSchema(t)
	paths := exampleBots(t)
	if len(paths) < 3 {
		t.Fatalf("found %d example bots, want at least 3", len(paths))
	}
	for _, path := range paths {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(yamlToJSON(t, src)); err != nil {
			t.Errorf("%s does not match the schema: %v", path, err)
		}
	}
}

// TestSchemaRejectsMistakes makes sure the schema is not vacuous: the
// mistakes editors should underline are schema violations.
func TestSchemaRejectsMistakes(t *testing.T) {
	s := compileSchema(t)
	bad := map[string]string{
		"unknown field":     "bot: b\nnodes:\n  a: { kind: message, text: hi, colour: red }\n",
		"unknown kind":      "bot: b\nnodes:\n  a: { kind: mesage, text: hi }\n",
		"missing field":     "bot: b\nnodes:\n  a: { kind: question }\n",
		"bad duration":      "bot: b\nnodes:\n  a: { kind: wait, for: soon }\n",
		"bad node id":       "bot: b\nnodes:\n  Start: { kind: end }\n",
		"out of range":      "bot: b\nnodes:\n  a: { kind: llm, model: { temperature: 3 } }\n",
		"bad variable type": "bot: b\nvariables: { x: { type: text } }\nnodes:\n  a: { kind: end }\n",
		"missing bot":       "nodes:\n  a: { kind: end }\n",
	}
	for name, src := range bad {
		if err := s.Validate(yamlToJSON(t, []byte(src))); err == nil {
			t.Errorf("%s: the schema accepts %q", name, src)
		}
	}
}
