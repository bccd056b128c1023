package convtest

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/parleyhq/parley/flows"
)

// MaxFileSize bounds test files, as flows.MaxFileSize bounds bot files.
const MaxFileSize = flows.MaxFileSize

// Parse reads a test file given as text and returns it with every problem
// it has, each at its line and column (file names the file in them). The
// suite's Files and Knowledge are the names as written, not paths; a file
// without tests is no problem here (Load refuses it).
func Parse(file string, src []byte) (*Suite, flows.Problems) {
	return parse(file, src, nil)
}

// ParseFor is Parse for the test file a project keeps for its bot slug
// (the web editor's): `bot`, when given, must be slug, and `files` and
// `knowledge`, which name files beside a test file on disk, have no place
// in it. The suite's Bot is slug.
func ParseFor(slug string, src []byte) (*Suite, flows.Problems) {
	s, problems := parse(slug+".test.yaml", src, func(p *parser, root *yaml.Node) {
		for i := 0; i+1 < len(root.Content); i += 2 {
			key, val := root.Content[i], root.Content[i+1]
			switch key.Value {
			case "bot":
				if val.Kind == yaml.ScalarNode && val.Value != slug {
					p.at(val, flows.CodeInvalidValue, "these are the tests of bot %q, not %q; write `bot: %s` or leave `bot` out", slug, val.Value, slug)
				}
			case "files", "knowledge":
				p.at(key, flows.CodeUnsupportedYAML, "`%s` names files on disk, which the project's tests cannot read; "+
					"its tests run against the bot's own file", key.Value)
			}
		}
	})
	s.Bot = slug
	return s, problems
}

func parse(file string, src []byte, more func(*parser, *yaml.Node)) (*Suite, flows.Problems) {
	p := &parser{file: file}
	s := &Suite{Path: file}
	if root := p.root(src); root != nil {
		p.known(root, reflect.TypeFor[fileFields](), "the test file")
		p.suite(root, s)
		if more != nil {
			more(p, root)
		}
	}
	p.problems.Sort()
	return s, p.problems
}

// fileFields are a test file's top-level fields, for known.
type fileFields struct {
	Bot       string              `yaml:"bot"`
	Files     []string            `yaml:"files"`
	Knowledge map[string][]string `yaml:"knowledge"`
	Tests     []Case              `yaml:"tests"`
}

type parser struct {
	file     string
	problems flows.Problems
}

func (p *parser) errorf(line, column int, code, format string, args ...any) {
	p.problems = append(p.problems, flows.Problem{File: p.file, Line: max(line, 1), Column: max(column, 1),
		Severity: flows.Error, Code: code, Message: fmt.Sprintf(format, args...)})
}

func (p *parser) at(n *yaml.Node, code, format string, args ...any) {
	p.errorf(n.Line, n.Column, code, format, args...)
}

// root parses the YAML document; nil when it has none or is not a mapping.
func (p *parser) root(src []byte) (root *yaml.Node) {
	if len(src) > MaxFileSize {
		p.errorf(1, 1, flows.CodeTooLarge, "the file is %d bytes; a test file holds at most %d", len(src), MaxFileSize)
		return nil
	}
	defer func() {
		if r := recover(); r != nil { // yaml.v3 may panic on some malformed input
			p.errorf(1, 1, flows.CodeYAMLSyntax, "the file is not valid YAML: %v", r)
			root = nil
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.errorf(1, 1, flows.CodeMissingField, "the file is empty; write `tests:` and a list of tests under it")
		} else {
			p.yamlError(err)
		}
		return nil
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		p.at(&next, flows.CodeUnsupportedYAML, "a test file holds one YAML document; remove this one")
	} else if !errors.Is(err, io.EOF) {
		p.yamlError(err)
	}
	if len(doc.Content) == 0 {
		p.errorf(1, 1, flows.CodeMissingField, "the file is empty; write `tests:` and a list of tests under it")
		return nil
	}
	root = doc.Content[0]
	if root.Kind != yaml.MappingNode {
		p.at(root, flows.CodeWrongType, "a test file is a mapping with `bot` and `tests`")
		return nil
	}
	return root
}

var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlError reports a syntax error at its line.
func (p *parser) yamlError(err error) {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		p.errorf(line, 1, flows.CodeYAMLSyntax, "%s", m[2])
		return
	}
	p.errorf(1, 1, flows.CodeYAMLSyntax, "%s", strings.TrimPrefix(msg, "yaml: "))
}

// decode decodes n into v, reporting type errors at their lines; false
// when there were any.
func (p *parser) decode(n *yaml.Node, v any) bool {
	err := n.Decode(v)
	if err == nil {
		return true
	}
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		p.at(n, flows.CodeWrongType, "%s", strings.TrimPrefix(err.Error(), "yaml: "))
		return false
	}
	for _, e := range te.Errors {
		if m := yamlLine.FindStringSubmatch(e); m != nil {
			line, _ := strconv.Atoi(m[1])
			code := flows.CodeWrongType
			if strings.Contains(m[2], "already defined") {
				code = flows.CodeDuplicateKey
			}
			p.errorf(line, columnAt(n, line, m[2]), code, "%s", m[2])
		} else {
			p.at(n, flows.CodeWrongType, "%s", e)
		}
	}
	return false
}

// columnAt is the column on line of the node of n's tree that the
// message is about: the scalar it quotes (`value` or "key"), else the last node on
// the line (a value follows its key); 1 when none is on the line.
func columnAt(n *yaml.Node, line int, msg string) int {
	quoted := ""
	if m := quotedValue.FindStringSubmatch(msg); m != nil {
		quoted = m[1] + m[2]
	}
	col, exact := 1, false
	var walk func(*yaml.Node)
	walk = func(c *yaml.Node) {
		if c.Line == line && !exact {
			col = c.Column
			exact = quoted != "" && c.Kind == yaml.ScalarNode && c.Value == quoted
		}
		for _, k := range c.Content {
			walk(k)
		}
	}
	walk(n)
	return col
}

var quotedValue = regexp.MustCompile("`([^`]*)`|\"([^\"]*)\"")

// replyFields are the fields of a model answer written as a tool call.
type replyFields struct {
	Tool      string `yaml:"tool"`
	Arguments any    `yaml:"arguments"`
}

// names of the structs whose fields known checks, as problems call them.
var fieldsOf = map[reflect.Type]string{
	reflect.TypeFor[Case]():         "a test",
	reflect.TypeFor[Step]():         "a step",
	reflect.TypeFor[Expect]():       "expect",
	reflect.TypeFor[OperatorStep](): "operator",
	reflect.TypeFor[Mock]():         "a mock",
	reflect.TypeFor[replyFields]():  "a model answer",
	reflect.TypeFor[Reply]():        "a model answer",
}

// known reports every mapping key that the type decoded from n has no
// field for, with the fields it has, recursing into the values.
func (p *parser) known(n *yaml.Node, t reflect.Type, what string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeFor[Reply]() {
		t = reflect.TypeFor[replyFields]() // a text, or these fields
	}
	if n.Kind == yaml.AliasNode {
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return // decode reports the wrong type
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			f, ok := fields[key.Value]
			if !ok {
				p.at(key, flows.CodeUnknownField, "%s has no field %q; its fields are %s", what, key.Value, strings.Join(slices.Sorted(maps.Keys(fields)), ", "))
				continue
			}
			p.known(val, f.Type, cmp.Or(fieldsOf[derefType(f.Type)], key.Value))
		}
	case reflect.Slice:
		if n.Kind == yaml.SequenceNode {
			for _, item := range n.Content {
				p.known(item, t.Elem(), cmp.Or(fieldsOf[derefType(t.Elem())], what))
			}
		}
	case reflect.Map:
		if n.Kind == yaml.MappingNode {
			for i := 1; i < len(n.Content); i += 2 {
				p.known(n.Content[i], t.Elem(), cmp.Or(fieldsOf[derefType(t.Elem())], what))
			}
		}
	}
}

func derefType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	return t
}

// yamlFields are a struct's fields by their YAML names.
func yamlFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if f.IsExported() && name != "" && name != "-" {
			out[name] = f
		}
	}
	return out
}

// suite decodes the top-level fields and the tests.
func (p *parser) suite(root *yaml.Node, s *Suite) {
	names := map[string]int{} // test name -> its line
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i], root.Content[i+1]
		switch key.Value {
		case "bot":
			p.decode(val, &s.Bot)
		case "files":
			p.decode(val, &s.Files)
		case "knowledge":
			p.decode(val, &s.Knowledge)
		case "tests":
			p.tests(val, s, names)
		}
	}
}

func (p *parser) tests(n *yaml.Node, s *Suite, names map[string]int) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // `tests:` with nothing under it yet
	}
	if n.Kind != yaml.SequenceNode {
		p.at(n, flows.CodeWrongType, "`tests` is a list of tests, each `- name: ...` with its `steps`")
		return
	}
	for _, tn := range n.Content {
		c, ok := p.testCase(tn)
		if !ok {
			continue
		}
		if first, dup := names[c.Name]; dup {
			p.at(valueOf(tn, "name"), flows.CodeDuplicateKey, "the test at line %d is named %q too; give each test its own name", first, c.Name)
		} else {
			names[c.Name] = c.Line
		}
		s.Tests = append(s.Tests, c)
	}
}

// testCase decodes one test, keeping its line and each step's.
func (p *parser) testCase(n *yaml.Node) (Case, bool) {
	var raw struct {
		Name      string          `yaml:"name"`
		Variables map[string]any  `yaml:"variables"`
		Start     *bool           `yaml:"start"`
		Mocks     map[string]Mock `yaml:"mocks"`
		LLM       []Reply         `yaml:"llm"`
	}
	if n.Kind != yaml.MappingNode {
		p.at(n, flows.CodeWrongType, "a test is a mapping: `- name: ...` with its `steps`")
		return Case{}, false
	}
	if !p.decode(n, &raw) {
		return Case{}, false
	}
	c := Case{Name: raw.Name, Variables: raw.Variables, Start: raw.Start, Mocks: raw.Mocks, LLM: raw.LLM, Line: n.Line}
	ok := true
	if strings.TrimSpace(c.Name) == "" {
		p.at(n, flows.CodeMissingField, "a test needs a `name`")
		ok = false
	}
	steps := valueOf(n, "steps")
	switch {
	case steps == nil || (steps.Kind == yaml.ScalarNode && steps.Tag == "!!null"):
	case steps.Kind != yaml.SequenceNode:
		p.at(steps, flows.CodeWrongType, "`steps` is a list of steps, each `- user: ...` with its `expect`")
		return c, false
	default:
		for i, sn := range steps.Content {
			st, stepOK := p.step(sn)
			st.index = i
			ok = ok && stepOK
			c.Steps = append(c.Steps, st)
		}
	}
	return c, ok
}

func (p *parser) step(n *yaml.Node) (Step, bool) {
	var st Step
	if n.Kind != yaml.MappingNode {
		p.at(n, flows.CodeWrongType, "a step is a mapping such as `- user: Hello` with its `expect`")
		return st, false
	}
	if !p.decode(n, &st) {
		return st, false
	}
	st.Line = n.Line
	if st.After != "" {
		d, err := flows.ParseDuration(st.After)
		if err != nil {
			p.at(valueOf(n, "after"), flows.CodeBadDuration, "after: %v", err)
			return st, false
		}
		st.after = d
	}
	return st, true
}

// valueOf is the value of key in mapping n, nil if it has none.
func valueOf(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
