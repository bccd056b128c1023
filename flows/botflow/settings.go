// Package botflow edits a bot's flow as the YAML its author wrote: the
// settings forms of the compatible APIs (Worken's BotSettings, ReplyX's
// assistant) change `settings.ai`, the name or the description as a new
// version, and every other line, comments included, stays as it was.
package botflow

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"gopkg.in/yaml.v3"

	"github.com/parleyhq/parley/store"
)

// BotSettings.ai (Worken's name) is a flow's `settings.ai`. Reads fill in
// the defaults the engine uses; writes edit the YAML as a yaml.Node tree,
// so everything outside settings.ai, comments included, is kept.

// leaf is one settable value of BotSettings.ai: its type and bounds.
type leaf struct {
	kind     string // "string", "number", "int" or "bool"
	min, max float64
	def      any
}

// aiSpec is BotSettings.ai: a leaf, or a nested object. tools, a map of
// any tool names, is handled on its own.
var aiSpec = map[string]any{
	"instruction": leaf{kind: "string", def: ""},
	"model": map[string]any{
		"id":                leaf{kind: "string", def: ""},
		"temperature":       leaf{kind: "number", min: 0, max: 2, def: 1.0},
		"max_tokens":        leaf{kind: "int", min: 1, max: 1_000_000, def: 1024},
		"top_p":             leaf{kind: "number", min: 0, max: 1, def: 1.0},
		"frequency_penalty": leaf{kind: "number", min: -2, max: 2, def: 0.0},
		"presence_penalty":  leaf{kind: "number", min: -2, max: 2, def: 0.0},
	},
	"memory": map[string]any{
		"lastMessages":   leaf{kind: "int", min: 0, max: 1000, def: 20},
		"semanticRecall": leaf{kind: "bool", def: false},
		"workingMemory":  map[string]any{"enabled": leaf{kind: "bool", def: false}},
		"generateTitle":  leaf{kind: "bool", def: false},
	},
	"formatting": map[string]any{
		"removeEmojis":   leaf{kind: "bool", def: false},
		"removeMarkdown": leaf{kind: "bool", def: false},
	},
	"tools": "tools",
}

var approvals = []string{"auto", "user_approve", "operator_approve"}

// Parse decodes a bot's YAML source into its top-level mapping.
func Parse(source string) (*yaml.Node, *yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(source), &doc); err != nil {
		return nil, nil, fmt.Errorf("parsing the bot's flow: %w", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, nil, fmt.Errorf("parsing the bot's flow: the file is not a mapping")
	}
	return &doc, doc.Content[0], nil
}

// Get is the value of key in mapping m, nil if none (or m is not one).
func Get(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// Set gives key the value v in mapping m, in place when key is there,
// otherwise after the key after (at the end when after is not there).
func Set(m *yaml.Node, key string, v *yaml.Node, after string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			v.HeadComment, v.LineComment = m.Content[i+1].HeadComment, m.Content[i+1].LineComment
			m.Content[i+1] = v
			return
		}
	}
	k := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}
	at := len(m.Content)
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == after {
			at = i + 2
		}
	}
	m.Content = append(m.Content[:at], append([]*yaml.Node{k, v}, m.Content[at:]...)...)
}

// mapping returns the mapping under key in m, making an empty one when
// there is none or it is not a mapping.
func mapping(m *yaml.Node, key string) *yaml.Node {
	if v := Get(m, key); v != nil && v.Kind == yaml.MappingNode {
		return v
	}
	v := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	Set(m, key, v, "")
	return v
}

// Scalar is a YAML scalar of a JSON value: a string, float64 or bool.
func Scalar(v any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode}
	switch v := v.(type) {
	case string:
		n.Tag, n.Value = "!!str", v
		if strings.Contains(v, "\n") {
			n.Style = yaml.LiteralStyle
		}
	case float64:
		n.Tag, n.Value = "!!float", strconv.FormatFloat(v, 'g', -1, 64)
		if v == float64(int64(v)) {
			n.Tag = "!!int"
		}
	case bool:
		n.Tag, n.Value = "!!bool", strconv.FormatBool(v)
	}
	return n
}

// ReadSettings is BotSettings.ai of a flow's top-level mapping with the
// defaults filled in.
func ReadSettings(root *yaml.Node) map[string]any {
	ai := Get(Get(root, "settings"), "ai")
	return readObject(aiSpec, ai)
}

func readObject(spec map[string]any, m *yaml.Node) map[string]any {
	out := map[string]any{}
	for name, s := range spec {
		v := Get(m, name)
		switch s := s.(type) {
		case map[string]any:
			out[name] = readObject(s, v)
		case leaf:
			out[name] = readLeaf(s, v)
		default: // tools
			tools := map[string]string{}
			if v != nil && v.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(v.Content); i += 2 {
					tools[v.Content[i].Value] = v.Content[i+1].Value
				}
			}
			out[name] = tools
		}
	}
	return out
}

// readLeaf is the value of n as s's type, s's default when n is missing
// or does not decode (the flow was checked when it was published).
func readLeaf(s leaf, n *yaml.Node) any {
	if n == nil || n.Kind != yaml.ScalarNode {
		return s.def
	}
	var err error
	var v any
	switch s.kind {
	case "string":
		v = n.Value
	case "number":
		v, err = strconv.ParseFloat(n.Value, 64)
	case "int":
		v, err = strconv.Atoi(n.Value)
	case "bool":
		v, err = strconv.ParseBool(n.Value)
	}
	if err != nil {
		return s.def
	}
	return v
}

// MergeSettings checks a partial BotSettings.ai, patch, and writes each
// value it sends into the flow's settings.ai; nothing else changes.
func MergeSettings(root *yaml.Node, patch map[string]any) error {
	if err := checkObject(aiSpec, patch, "ai"); err != nil {
		return err
	}
	settings := Get(root, "settings")
	if settings == nil || settings.Kind != yaml.MappingNode {
		// a new settings key goes after the bot's name, not at the end
		settings = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		after := "name"
		if Get(root, "description") != nil {
			after = "description"
		}
		Set(root, "settings", settings, after)
	}
	mergeObject(aiSpec, mapping(settings, "ai"), patch)
	return nil
}

func mergeObject(spec map[string]any, m *yaml.Node, patch map[string]any) {
	for _, name := range sortedKeys(patch) {
		switch s := spec[name].(type) {
		case map[string]any:
			mergeObject(s, mapping(m, name), patch[name].(map[string]any))
		case leaf:
			Set(m, name, Scalar(patch[name]), "")
		default: // tools
			tools := mapping(m, name)
			for _, tool := range sortedKeys(patch[name].(map[string]any)) {
				Set(tools, tool, Scalar(patch[name].(map[string]any)[tool]), "")
			}
		}
	}
}

// checkObject checks patch against spec: known fields, of the right
// types, within bounds. at is the path so far, for messages and param.
func checkObject(spec map[string]any, patch map[string]any, at string) error {
	var unknown []string
	for name := range patch {
		if _, ok := spec[name]; !ok {
			unknown = append(unknown, at+"."+name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return store.FieldErrorf(store.EINVALID, unknown[0], "Unknown settings field %s; BotSettings.ai has %s.", strings.Join(unknown, ", "), strings.Join(sortedKeys(spec), ", "))
	}
	for _, name := range sortedKeys(patch) {
		path, v := at+"."+name, patch[name]
		switch s := spec[name].(type) {
		case map[string]any:
			obj, ok := v.(map[string]any)
			if !ok {
				return store.FieldErrorf(store.EINVALID, path, "%s must be an object.", path)
			}
			if err := checkObject(s, obj, path); err != nil {
				return err
			}
		case leaf:
			if err := checkLeaf(s, v, path); err != nil {
				return err
			}
		default:
			if err := checkTools(v, path); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkLeaf(s leaf, v any, path string) error {
	switch s.kind {
	case "string":
		if _, ok := v.(string); !ok {
			return store.FieldErrorf(store.EINVALID, path, "%s must be a string.", path)
		}
		return nil
	case "bool":
		if _, ok := v.(bool); !ok {
			return store.FieldErrorf(store.EINVALID, path, "%s must be true or false.", path)
		}
		return nil
	}
	n, ok := v.(float64)
	if !ok || (s.kind == "int" && n != float64(int64(n))) {
		return store.FieldErrorf(store.EINVALID, path, "%s must be a%s number.", path, map[bool]string{true: "n integer", false: ""}[s.kind == "int"])
	}
	if n < s.min || n > s.max {
		return store.FieldErrorf(store.EINVALID, path, "%s is %v; it must be from %v to %v.", path, n, s.min, s.max)
	}
	return nil
}

func checkTools(v any, path string) error {
	tools, ok := v.(map[string]any)
	if !ok {
		return store.FieldErrorf(store.EINVALID, path, "%s must be an object of tool names and approval modes.", path)
	}
	for _, name := range sortedKeys(tools) {
		mode, _ := tools[name].(string)
		if !slices.Contains(approvals, mode) {
			return store.FieldErrorf(store.EINVALID, path+"."+name, "%s.%s must be one of %s.", path, name, strings.Join(approvals, ", "))
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// New is the first version of a bot made by a settings form: one
// conversing llm node driven by settings.ai. JSON strings are YAML
// double-quoted strings.
func New(slug, name string) string {
	quoted, _ := json.Marshal(name)
	return "bot: " + slug + "\nname: " + string(quoted) + "\n" +
		"settings:\n  ai:\n    instruction: You are a helpful assistant.\n" +
		"nodes:\n  chat:\n    kind: llm\n    converse: true\n"
}

// Slug derives a slug from a name: lower-case ASCII letters and digits,
// other runs as one "-"; "bot" when nothing is left.
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	if b.Len() == 0 {
		return "bot"
	}
	return strings.TrimRight(b.String()[:min(b.Len(), 48)], "-")
}

// Description is the flow's description, "" when it has none.
func Description(root *yaml.Node) string {
	if d := Get(root, "description"); d != nil && d.Kind == yaml.ScalarNode {
		return d.Value
	}
	return ""
}
