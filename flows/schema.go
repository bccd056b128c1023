package flows

import (
	"encoding/json"
)

// SchemaID is where editors find the schema; bot files point at it with a
// yaml-language-server modeline.
const SchemaID = "https://parley.dev/schemas/flow.schema.json"

type schema = map[string]any

// JSONSchema renders the JSON Schema (draft 2020-12) of bot files from the
// specs of lang: every field with its type, description, default and example.
func JSONSchema(lang *Language) ([]byte, error) {
	defs := schema{"node_id": schema{"type": "string", "pattern": nodeIDPattern.String()}}
	var cases []any
	for _, k := range lang.Kinds {
		spec := k.Spec()
		fields := append(nodeCommonFields(lang.KindNames()), spec.Fields...)
		def := objectSchema(spec.Summary, fields)
		def["properties"].(schema)["kind"] = schema{"const": spec.Name, "description": spec.Summary}
		defs[spec.Name] = def
		cases = append(cases, schema{
			"if":   schema{"properties": schema{"kind": schema{"const": spec.Name}}, "required": []string{"kind"}},
			"then": schema{"$ref": "#/$defs/" + spec.Name},
		})
	}
	defs["node"] = schema{
		"type":        "object",
		"description": "A node; its fields depend on its kind.",
		"required":    []string{"kind"},
		"properties":  schema{"kind": schema{"enum": lang.KindNames(), "description": "The node kind."}},
		"allOf":       cases,
	}
	defs["variable"] = fieldSchema(variableField)
	root := objectSchema("A Parley bot: a graph of nodes that a dialog walks through.", rootSchemaFields(lang))
	root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	root["$id"] = SchemaID
	root["title"] = "Parley bot"
	root["$defs"] = defs
	out, err := json.MarshalIndent(root, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

func rootSchemaFields(lang *Language) []*Field {
	fields := RootFields(lang)
	for i, f := range fields {
		switch f.Name {
		case "variables":
			g := *f
			g.Elem = &Field{Name: "variable", Type: "ref:variable"}
			fields[i] = &g
		case "nodes":
			g := *f
			g.Elem = &Field{Name: "node", Type: "ref:node"}
			g.Key = TypeNode
			fields[i] = &g
		}
	}
	return fields
}

func objectSchema(doc string, fields []*Field) schema {
	props := schema{}
	var required []string
	for _, f := range fields {
		props[f.Name] = fieldSchema(f)
		if f.Required {
			required = append(required, f.Name)
		}
	}
	s := schema{"type": "object", "properties": props, "additionalProperties": false}
	if doc != "" {
		s["description"] = doc
	}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

func fieldSchema(f *Field) schema {
	s := typeSchema(f)
	if f.Doc != "" {
		s["description"] = f.Doc
	}
	if f.Default != nil {
		s["default"] = f.Default
	}
	if f.Example != nil {
		s["examples"] = []any{f.Example}
	}
	return s
}

// durationPattern matches what ParseDuration accepts.
const durationPattern = `^([0-9]+(\.[0-9]+)?(ms|s|m|h|d|w))+$`

func typeSchema(f *Field) schema {
	switch f.Type {
	case TypeString, TypeTemplate, TypeRegex:
		return schema{"type": "string"}
	case TypeExpr:
		return schema{"type": []string{"string", "number", "boolean"}}
	case TypeCondition:
		return schema{"type": []string{"string", "boolean"}}
	case TypeInt, TypeNumber:
		s := schema{"type": string(f.Type)}
		if f.Min != nil {
			s["minimum"] = *f.Min
		}
		if f.Max != nil {
			s["maximum"] = *f.Max
		}
		return s
	case TypeBool:
		return schema{"type": "boolean"}
	case TypeDuration:
		return schema{"type": "string", "pattern": durationPattern}
	case TypeURL:
		return schema{"type": "string", "format": "uri", "pattern": "^https?://"}
	case TypeNode:
		return schema{"$ref": "#/$defs/node_id"}
	case TypeBot:
		return schema{"type": "string", "pattern": botSlugPattern.String()}
	case TypeVariable:
		return schema{"type": "string", "pattern": varNamePattern.String()}
	case TypeEnum:
		return schema{"enum": f.Options}
	case TypeEdge:
		branch := objectSchema("", branchFields)
		return schema{"oneOf": []any{
			schema{"$ref": "#/$defs/node_id"},
			schema{"type": "array", "minItems": 1, "items": branch},
		}}
	case TypeObject:
		return objectSchema("", f.Fields)
	case TypeList:
		s := schema{"type": "array", "items": fieldSchema(f.Elem)}
		if f.NonEmpty {
			s["minItems"] = 1
		}
		return s
	case TypeMap:
		s := schema{"type": "object", "additionalProperties": fieldSchema(f.Elem)}
		if f.NonEmpty {
			s["minProperties"] = 1
		}
		switch f.Key {
		case TypeVariable:
			s["propertyNames"] = schema{"pattern": varNamePattern.String()}
		case TypeNode:
			s["propertyNames"] = schema{"pattern": nodeIDPattern.String()}
		}
		return s
	case "ref:variable":
		return schema{"$ref": "#/$defs/variable"}
	case "ref:node":
		return schema{"$ref": "#/$defs/node"}
	}
	return schema{} // any, templated
}
