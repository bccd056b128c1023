// Package convtest runs conversation tests: scripted dialogs with a bot,
// in Temporal's time-skipping test environment against a real SQLite store,
// so a three-day wait takes milliseconds.
package convtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/parleyhq/parley/flows"
)

// Suite is a *.test.yaml file: tests of one bot.
type Suite struct {
	Path  string
	Bot   string   // the bot under test (its slug)
	Files []string // bot files published before the tests, the bot's first
	// Sources are bot files given as text (a draft being replayed),
	// published after Files; the first is the bot under test when there
	// are no Files.
	Sources []string
	// Knowledge holds the documents indexed before the tests, by vector
	// store name.
	Knowledge map[string][]string
	Tests     []Case
}

// Case is one scripted dialog.
type Case struct {
	Name      string          `yaml:"name"`
	Variables map[string]any  `yaml:"variables"`
	Start     *bool           `yaml:"start"` // default true: the dialog starts at once
	Mocks     map[string]Mock `yaml:"mocks"` // block services by block node id, url tools by tool name
	// LLM lists the model's answers, in the order llm nodes ask; without
	// it no model is configured.
	LLM   []Reply `yaml:"llm"`
	Steps []Step  `yaml:"steps"`
	Line  int     `yaml:"-"`
}

// Reply is one answer of the test model: a text, or a tool call written
// {tool: name, arguments: {...}}.
type Reply struct {
	Text      string
	Tool      string
	Arguments string // JSON
}

// UnmarshalYAML reads a text or a tool call.
func (r *Reply) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		return n.Decode(&r.Text)
	}
	var call struct {
		Tool      string `yaml:"tool"`
		Arguments any    `yaml:"arguments"`
	}
	if err := decodeNode(n, &call); err != nil {
		return err
	}
	if call.Tool == "" {
		return fmt.Errorf("line %d: a model answer is a text or {tool: name, arguments: {...}}", n.Line)
	}
	if call.Arguments == nil {
		call.Arguments = map[string]any{}
	}
	args, err := json.Marshal(call.Arguments)
	if err != nil {
		return fmt.Errorf("line %d: the arguments cannot be JSON: %v", n.Line, err)
	}
	r.Tool, r.Arguments = call.Tool, string(args)
	return nil
}

// Mock scripts the external service of a block node.
type Mock struct {
	// Statuses are the HTTP statuses of successive calls; the last one
	// repeats. Default: 200.
	Statuses []int `yaml:"statuses"`
	// Respond is the JSON answer of a successful call (wait: false).
	Respond any `yaml:"respond"`
	// Messages are sent into the dialog (send_message) after the call.
	Messages []string `yaml:"messages"`
	// Complete ends the block with this data (wait: true); without it the
	// service never completes.
	Complete any `yaml:"complete"`
}

// Step is one thing that happens in the dialog, then what must be true.
type Step struct {
	After    string        `yaml:"after"` // time that passes first, like 10m
	User     *string       `yaml:"user"`
	Operator *OperatorStep `yaml:"operator"`
	Command  string        `yaml:"command"`
	Mode     string        `yaml:"mode"` // auto, manual, operator or blocked
	Start    bool          `yaml:"start"`
	Expect   *Expect       `yaml:"expect"`
	Line     int           `yaml:"-"`
	after    time.Duration
}

// OperatorStep is what an operator does.
type OperatorStep struct {
	Action string `yaml:"action"` // take, release or message
	Name   string `yaml:"name"`
	Text   string `yaml:"text"`
}

// Expect is what must hold after a step. Unset fields are not checked.
type Expect struct {
	// Says lists, in order, the texts of every message the bot (or an
	// operator) sent since the previous step; /text/ is a regular expression.
	Says      []string         `yaml:"says"`
	Buttons   []string         `yaml:"buttons"` // of the last message
	Status    string           `yaml:"status"`
	Mode      string           `yaml:"mode"`
	Waiting   *string          `yaml:"waiting"` // node id, or "" for nothing
	Variables map[string]any   `yaml:"variables"`
	Data      []map[string]any `yaml:"data"` // collected so far: {variable, answer, ...}
	Pending   *int             `yaml:"pending"`
	Error     string           `yaml:"error"` // the step's action must be refused with a message containing this
	// Sources lists the documents the last bot message was written from
	// (file names): its best sources must be these, in order of
	// relevance; [] wants none.
	Sources []string `yaml:"sources"`
	Title   *string  `yaml:"title"`  // the dialog's title
	Memory  string   `yaml:"memory"` // the working memory; /re/ allowed
}

type suiteFile struct {
	Bot       string              `yaml:"bot"`
	Files     []string            `yaml:"files"`
	Knowledge map[string][]string `yaml:"knowledge"` // vector store name -> documents
	Tests     []yaml.Node         `yaml:"tests"`
}

// Load reads a test file. The bot file defaults to the test file's name
// without ".test" (support.test.yaml tests support.yaml); `files` names
// more bots to publish, for goto bot.
func Load(path string) (*Suite, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f suiteFile
	if err := decodeStrict(src, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	dir := filepath.Dir(path)
	main := strings.TrimSuffix(path, ".test.yaml") + ".yaml"
	s := &Suite{Path: path, Bot: f.Bot, Files: []string{main}}
	for _, extra := range f.Files {
		s.Files = append(s.Files, filepath.Join(dir, extra))
	}
	s.Knowledge = map[string][]string{}
	for name, docs := range f.Knowledge {
		for _, doc := range docs {
			s.Knowledge[name] = append(s.Knowledge[name], filepath.Join(dir, doc))
		}
	}
	for i := range f.Tests {
		c, err := decodeCase(&f.Tests[i])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, f.Tests[i].Line, err)
		}
		s.Tests = append(s.Tests, c)
	}
	if len(s.Tests) == 0 {
		return nil, fmt.Errorf("%s: no tests; add a `tests:` list", path)
	}
	return s, nil
}

func decodeStrict(src []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	return dec.Decode(v)
}

// decodeCase decodes one test, keeping each step's line for failures.
func decodeCase(n *yaml.Node) (Case, error) {
	var raw struct {
		Name      string          `yaml:"name"`
		Variables map[string]any  `yaml:"variables"`
		Start     *bool           `yaml:"start"`
		Mocks     map[string]Mock `yaml:"mocks"`
		LLM       []Reply         `yaml:"llm"`
		Steps     []yaml.Node     `yaml:"steps"`
	}
	if err := decodeNode(n, &raw); err != nil {
		return Case{}, err
	}
	c := Case{Name: raw.Name, Variables: raw.Variables, Start: raw.Start, Mocks: raw.Mocks, LLM: raw.LLM, Line: n.Line}
	if c.Name == "" {
		return c, fmt.Errorf("a test needs a `name`")
	}
	for _, sn := range stepNodes(n) { // the original nodes, which know their lines
		var st Step
		if err := decodeNode(sn, &st); err != nil {
			return c, err
		}
		st.Line = sn.Line
		if st.After != "" {
			d, err := flows.ParseDuration(st.After)
			if err != nil {
				return c, fmt.Errorf("line %d: after: %v", st.Line, err)
			}
			st.after = d
		}
		c.Steps = append(c.Steps, st)
	}
	return c, nil
}

// stepNodes returns the items of a test's `steps` list.
func stepNodes(test *yaml.Node) []*yaml.Node {
	for i := 0; i+1 < len(test.Content); i += 2 {
		if test.Content[i].Value == "steps" {
			return test.Content[i+1].Content
		}
	}
	return nil
}

// decodeNode decodes a node strictly: unknown fields are errors.
func decodeNode(n *yaml.Node, v any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	if err := decodeStrict(b, v); err != nil {
		return fmt.Errorf("in the entry at line %d: %w", n.Line, err)
	}
	return nil
}
