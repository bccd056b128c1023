// Package convtest runs conversation tests: scripted dialogs with a bot,
// in Temporal's time-skipping test environment against a real SQLite store,
// so a three-day wait takes milliseconds.
package convtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
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
	// Timeout, when above 0, bounds each test's wall-clock time; a test
	// still running then fails.
	Timeout time.Duration
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
	if err := n.Decode(&call); err != nil { // Parse reports fields it has not
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
	index    int // in its test's steps, from 0
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

// Load reads a test file. The bot file defaults to the test file's name
// without ".test" (support.test.yaml tests support.yaml); `files` names
// more bots to publish, for goto bot. An error lists every problem of the
// file as path:line:col: code: message.
func Load(path string) (*Suite, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	parsed, problems := Parse(path, src)
	if len(problems) > 0 {
		lines := make([]string, len(problems))
		for i, p := range problems {
			lines[i] = p.String()
		}
		return nil, errors.New(strings.Join(lines, "\n"))
	}
	dir := filepath.Dir(path)
	main := strings.TrimSuffix(path, ".test.yaml") + ".yaml"
	s := &Suite{Path: path, Bot: parsed.Bot, Files: []string{main}, Tests: parsed.Tests}
	for _, extra := range parsed.Files {
		s.Files = append(s.Files, filepath.Join(dir, extra))
	}
	s.Knowledge = map[string][]string{}
	for name, docs := range parsed.Knowledge {
		for _, doc := range docs {
			s.Knowledge[name] = append(s.Knowledge[name], filepath.Join(dir, doc))
		}
	}
	if len(s.Tests) == 0 {
		return nil, fmt.Errorf("%s: no tests; add a `tests:` list", path)
	}
	return s, nil
}
