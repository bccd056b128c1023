package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"go.temporal.io/sdk/workflow"

	"github.com/parleyhq/parley/nodes"
)

// versionJSONSchema is the change that checks json_schema answers against
// their schema; dialogs recorded before it only parsed them.
const versionJSONSchema = "llm-json-schema-validation"

// schemaURL names a node's schema inside its compiler; nothing is loaded
// from it.
const schemaURL = "https://parley.invalid/json_schema.json"

// maxSchemaIssues bounds the problems listed to the model.
const maxSchemaIssues = 10

// answerSchemas are the compiled json_schema of llm nodes. Flows are loaded
// once per source and shared (flowCache), so keyed by the node's config a
// schema is compiled once per loaded flow, not once per turn.
var answerSchemas = struct {
	sync.Mutex
	byNode map[*nodes.LLM]compiledSchema
}{byNode: map[*nodes.LLM]compiledSchema{}}

type compiledSchema struct {
	schema *jsonschema.Schema
	err    error
}

// answerSchema returns the node's compiled json_schema. A schema that does
// not compile is an error of the flow, the same on every call.
func answerSchema(c *nodes.LLM) (*jsonschema.Schema, error) {
	answerSchemas.Lock()
	defer answerSchemas.Unlock()
	if s, ok := answerSchemas.byNode[c]; ok {
		return s.schema, s.err
	}
	if len(answerSchemas.byNode) >= maxCachedFlows {
		clear(answerSchemas.byNode) // flows dropped from flowCache are never asked for again
	}
	schema, err := compileSchema(c.JSONSchema)
	answerSchemas.byNode[c] = compiledSchema{schema, err}
	return schema, err
}

// compileSchema compiles a schema as the model gets it: as JSON. $refs to
// other documents are refused: workflow code reads no files or URLs.
func compileSchema(schema map[string]any) (*jsonschema.Schema, error) {
	b, err := json.Marshal(schema)
	if err != nil {
		return nil, fmt.Errorf("it cannot be sent as JSON: %w", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(jsonschema.SchemeURLLoader{})
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, err
	}
	s, err := c.Compile(schemaURL)
	var invalid *jsonschema.SchemaValidationError
	var verr *jsonschema.ValidationError
	if errors.As(err, &invalid) && errors.As(invalid.Err, &verr) {
		return nil, errors.New(strings.Join(issues(verr), "; "))
	}
	return s, err
}

// schemaMismatch is an answer that is JSON but does not match the schema.
type schemaMismatch struct{ issues []string }

func (e *schemaMismatch) Error() string {
	return "the answer does not match the schema: " + strings.Join(e.issues, "; ")
}

// checkAnswer checks an answer's JSON text against a schema.
func checkAnswer(schema *jsonschema.Schema, text string) error {
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		return fmt.Errorf("the answer is not JSON: %v", err)
	}
	var verr *jsonschema.ValidationError
	if err := schema.Validate(doc); !errors.As(err, &verr) {
		return err
	}
	return &schemaMismatch{issues(verr)}
}

// issues lists what a validation found wrong, each with where
// ("/price: got string, want number"), sorted so that the same value
// always reads the same: the validator ranges over maps.
func issues(verr *jsonschema.ValidationError) []string {
	var out []string
	var walk func(u jsonschema.OutputUnit)
	walk = func(u jsonschema.OutputUnit) {
		for _, c := range u.Errors {
			walk(c)
		}
		if len(u.Errors) > 0 || u.Error == nil {
			return // "validation failed" above the problems themselves
		}
		if k, ok := u.Error.Kind.(*kind.AdditionalProperties); ok {
			slices.Sort(k.Properties)
		}
		if u.InstanceLocation == "" {
			out = append(out, u.Error.String())
		} else {
			out = append(out, u.InstanceLocation+": "+u.Error.String())
		}
	}
	walk(*verr.DetailedOutput())
	slices.Sort(out)
	out = slices.Compact(out)
	if n := len(out); n > maxSchemaIssues {
		out = append(out[:maxSchemaIssues], fmt.Sprintf("and %d more", n-maxSchemaIssues))
	}
	if len(out) == 0 {
		out = []string{strings.Join(strings.Fields(verr.Error()), " ")}
	}
	return out
}

// checksJSONSchema reports whether this dialog checks json_schema answers
// against their schema. Called only where the check changes what happens
// (an answer that does not match, a schema that does not compile), so the
// histories of dialogs that never meet one stay as they were.
func checksJSONSchema(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, versionJSONSchema, workflow.DefaultVersion, 1) >= 1
}
