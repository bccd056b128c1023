package nodes

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/flows"
)

// kindsHeader is the base bot every TestKinds case is added to. It is ten
// lines long, so the first line of a case (its node id, indented by two
// spaces) is line 11 of the file, and a node's fields start at column 5.
const kindsHeader = `bot: test
variables:
  name: { type: string }
  age: { type: integer }
  score: { type: number }
  ok: { type: boolean }
  data: { type: object }
  tags: { type: list }
  anything: { type: any }
nodes:
`

// kindsCase is one bot file and what loading it must report.
type kindsCase struct {
	name string // the outcome: "ok", "unknown field", ...
	yaml string // a leading newline is dropped
	// errs lists every error as "line:column code", in file order.
	errs []string
	// warns lists every warning the same way. It is always checked when
	// errs is empty; on a case with errors, nil means "not checked".
	warns []string
	// msg, when set, must appear in the message of one of the problems.
	msg   string
	check func(t *testing.T, f *flows.Flow)
}

// kindsLoad loads src with Parley's language and returns the flow and problems.
func kindsLoad(t *testing.T, src string) (*flows.Flow, flows.Problems) {
	t.Helper()
	return Load("test.yaml", []byte(src))
}

// kindsPositions renders the problems of one severity as "line:column code".
func kindsPositions(ps flows.Problems, sev flows.Severity) []string {
	var out []string
	for _, p := range ps {
		if p.Severity == sev {
			out = append(out, fmt.Sprintf("%d:%d %s", p.Line, p.Column, p.Code))
		}
	}
	return out
}

// kindsProblemList lists every problem, one a line, for failure messages.
func kindsProblemList(ps flows.Problems) string {
	if len(ps) == 0 {
		return "\n\t(none)"
	}
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("\n\t" + p.String())
	}
	return b.String()
}

// kindsRun loads header+case for every case and compares the problems.
func kindsRun(t *testing.T, header string, cases []kindsCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := header + strings.TrimPrefix(tc.yaml, "\n")
			flow, problems := kindsLoad(t, src)
			if got, want := kindsPositions(problems, flows.Error), tc.errs; !slices.Equal(got, want) {
				t.Errorf("errors:\n got  %q\n want %q\nall problems:%s", got, want, kindsProblemList(problems))
			}
			if tc.warns != nil || len(tc.errs) == 0 {
				if got, want := kindsPositions(problems, flows.Warning), tc.warns; !slices.Equal(got, want) {
					t.Errorf("warnings:\n got  %q\n want %q\nall problems:%s", got, want, kindsProblemList(problems))
				}
			}
			if tc.msg != "" && !slices.ContainsFunc(problems, func(p flows.Problem) bool { return strings.Contains(p.Message, tc.msg) }) {
				t.Errorf("no problem message contains %q; problems:%s", tc.msg, kindsProblemList(problems))
			}
			if tc.check != nil && !t.Failed() {
				tc.check(t, flow)
			}
		})
	}
}

// kindsConfig returns the typed config of node id, failing the test when the
// node is missing or has another kind.
func kindsConfig[C any](t *testing.T, f *flows.Flow, id string) *C {
	t.Helper()
	n := f.Node(id)
	if n == nil {
		t.Fatalf("node %q was not loaded", id)
	}
	c, ok := n.Config.(*C)
	if !ok {
		t.Fatalf("node %q has config %T, want %T", id, n.Config, c)
	}
	return c
}

func TestKinds(t *testing.T) {
	tests := []struct {
		kind  string
		cases []kindsCase
	}{
		{"message", kindsMessageCases},
		{"question", kindsQuestionCases},
		{"llm", kindsLLMCases},
		{"block", kindsBlockCases},
		{"goto", kindsGotoCases},
		{"handoff", kindsHandoffCases},
		{"branch", kindsBranchCases},
		{"set", kindsSetCases},
		{"wait", kindsWaitCases},
		{"end", kindsEndCases},
		{"common", kindsCommonCases},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			kindsRun(t, kindsHeader, tt.cases)
		})
	}
}

var kindsMessageCases = []kindsCase{
	{name: "ok", yaml: `
  x:
    kind: message
    text: "Hi {{ name }}!"
    buttons: [Yes, No]
    attachments:
      - url: https://example.com/a.pdf
        name: a.pdf
    next: done
  done:
    kind: end
`, check: func(t *testing.T, f *flows.Flow) {
		m := kindsConfig[Message](t, f, "x")
		if len(m.Buttons) != 2 || m.Text == nil || m.Text.Static() {
			t.Errorf("text %v, buttons %v", m.Text, m.Buttons)
		}
		if len(m.Attachments) != 1 || m.Attachments[0].Name != "a.pdf" || m.Attachments[0].Type != "file" {
			t.Errorf("attachments = %+v, want one a.pdf of type file (the default)", m.Attachments)
		}
		if m.Next == nil || m.Next.Branches[0].To != "done" {
			t.Errorf("next = %+v, want done", m.Next)
		}
	}},
	{name: "ok attachments only", yaml: `
  x:
    kind: message
    attachments:
      - { url: "https://example.com/{{ name }}.png", type: image }
`, check: func(t *testing.T, f *flows.Flow) {
		m := kindsConfig[Message](t, f, "x")
		if m.Text != nil || len(m.Attachments) != 1 || m.Attachments[0].Type != "image" {
			t.Errorf("message = %+v", m)
		}
	}},
	{name: "neither text nor attachments", yaml: `
  x:
    kind: message
    buttons: [A]
`, errs: []string{"11:3 missing_field"}},
	{name: "unknown field", yaml: `
  x:
    kind: message
    text: Hi
    buttonz: [A]
`, errs: []string{"14:5 unknown_field"}, msg: `did you mean "buttons"?`},
	{name: "wrong type", yaml: `
  x:
    kind: message
    text: Hi
    buttons: A
`, errs: []string{"14:14 wrong_type"}},
	{name: "attachment without url", yaml: `
  x:
    kind: message
    attachments:
      - name: a.pdf
`, errs: []string{"14:9 missing_field"}},
	{name: "bad attachment type", yaml: `
  x:
    kind: message
    attachments:
      - url: https://example.com/a.pdf
        type: picture
`, errs: []string{"15:15 invalid_value"}},
	{name: "unknown variable in text", yaml: `
  x:
    kind: message
    text: "Hi {{ nme }}"
`, errs: []string{"13:18 unknown_variable"}, msg: `did you mean "name"?`},
	{name: "unclosed template", yaml: `
  x:
    kind: message
    text: "Hi {{ name"
`, errs: []string{"13:15 template"}},
	{name: "empty template", yaml: `
  x:
    kind: message
    text: "Hi {{ }}"
`, errs: []string{"13:15 template"}},
	{name: "expression syntax error", yaml: `
  x:
    kind: message
    text: "{{ name + }}"
`, errs: []string{"13:21 expression"}},
	{name: "unknown variable in block scalar", yaml: `
  x:
    kind: message
    text: |
      Hello
      {{ nme }}
`, errs: []string{"15:10 unknown_variable"}},
	{name: "unknown variable in button", yaml: `
  x:
    kind: message
    text: Hi
    buttons: [Yes, "{{ nme }}"]
`, errs: []string{"14:24 unknown_variable"}},
	{name: "unknown next node", yaml: `
  x:
    kind: message
    text: Hi
    next: dne
`, errs: []string{"14:11 unknown_node"}},
}

var kindsQuestionCases = []kindsCase{
	{name: "ok choice", yaml: `
  x:
    kind: question
    text: Pick one
    input: { type: choice, options: [A, B] }
    save: name
    next: done
  done:
    kind: end
`, check: func(t *testing.T, f *flows.Flow) {
		q := kindsConfig[Question](t, f, "x")
		if q.Input.Type != InputChoice || len(q.Input.Options) != 2 {
			t.Errorf("input = %+v, want choice with 2 options", q.Input)
		}
		if q.Retries != 2 || q.Save != "name" || q.Timeout != 0 || q.OnInvalid != "" {
			t.Errorf("retries %d, save %q, timeout %v, on_invalid %q; want 2 (default), name, 0, none", q.Retries, q.Save, q.Timeout, q.OnInvalid)
		}
		if !f.Node("x").Pauses {
			t.Error("a question must pause")
		}
	}},
	{name: "ok number with timeout and reminders", yaml: `
  x:
    kind: question
    text: How old are you?
    input: { type: number, min: 0, max: 130 }
    save: age
    retries: 0
    invalid: "A number, please."
    on_invalid: done
    timeout: 1h
    remind:
      - after: 30m
        text: "Still there, {{ name }}?"
    on_timeout: done
    next: done
  done:
    kind: end
`, check: func(t *testing.T, f *flows.Flow) {
		q := kindsConfig[Question](t, f, "x")
		if q.Input.Type != InputNumber || q.Input.Min == nil || *q.Input.Min != 0 || q.Input.Max == nil || *q.Input.Max != 130 {
			t.Errorf("input = %+v, want number 0..130", q.Input)
		}
		if q.Retries != 0 || q.Timeout != time.Hour || q.OnTimeout != "done" || q.OnInvalid != "done" || q.Invalid == nil {
			t.Errorf("question = %+v", q)
		}
		if len(q.Remind) != 1 || q.Remind[0].After != 30*time.Minute || q.Remind[0].Text == nil {
			t.Errorf("remind = %+v, want one after 30m", q.Remind)
		}
	}},
	{name: "ok input types and save types", yaml: `
  a:
    kind: question
    text: Sure?
    input: { type: yes_no }
    save: ok
    next: b
  b:
    kind: question
    text: Which?
    input: { type: multichoice, options: [A, B] }
    save: tags
    next: c
  c:
    kind: question
    text: Send a picture
    input: { type: file, accept: [image/*] }
    save: data
    next: d
  d:
    kind: question
    text: Your order number?
    input: { type: regex, pattern: '^[A-Z]{2}\d{6}$' }
    save: anything
    next: e
  e:
    kind: question
    text: Your name?
    input: { type: text, min: 2, max: 40 }
`, check: func(t *testing.T, f *flows.Flow) {
		want := map[string]InputType{"a": InputYesNo, "b": InputMultichoice, "c": InputFile, "d": InputRegex, "e": InputText}
		for id, typ := range want {
			if got := kindsConfig[Question](t, f, id).Input.Type; got != typ {
				t.Errorf("%s: input type %q, want %q", id, got, typ)
			}
		}
		if d := kindsConfig[Question](t, f, "d"); d.Input.Pattern == nil || !d.Input.Pattern.MatchString("AB123456") {
			t.Errorf("d: pattern = %v", d.Input.Pattern)
		}
		if c := kindsConfig[Question](t, f, "c"); !slices.Equal(c.Input.Accept, []string{"image/*"}) {
			t.Errorf("c: accept = %v", c.Input.Accept)
		}
	}},
	{name: "unknown field", yaml: `
  x:
    kind: question
    text: Hi
    retrys: 3
`, errs: []string{"14:5 unknown_field"}, msg: `did you mean "retries"?`},
	{name: "missing text", yaml: `
  x:
    kind: question
    save: name
`, errs: []string{"12:5 missing_field"}},
	{name: "null text", yaml: `
  x:
    kind: question
    text: ~
`, errs: []string{"13:5 missing_field"}},
	{name: "empty text", yaml: `
  x:
    kind: question
    text:
    save: name
`, errs: []string{"13:5 missing_field"}},
	{name: "retries wrong type", yaml: `
  x:
    kind: question
    text: Hi
    retries: many
`, errs: []string{"14:14 wrong_type"}},
	{name: "retries not whole", yaml: `
  x:
    kind: question
    text: Hi
    retries: 1.5
`, errs: []string{"14:14 wrong_type"}},
	{name: "retries out of range", yaml: `
  x:
    kind: question
    text: Hi
    retries: 101
`, errs: []string{"14:14 out_of_range"}},
	{name: "bad input type", yaml: `
  x:
    kind: question
    text: Hi
    input: { type: choise }
`, errs: []string{"14:20 invalid_value"}, msg: `did you mean "choice"?`},
	{name: "bad duration", yaml: `
  x:
    kind: question
    text: Hi
    timeout: 10 minutes
`, errs: []string{"14:14 bad_duration"}},
	{name: "undeclared save variable", yaml: `
  x:
    kind: question
    text: Hi
    save: nmae
`, errs: []string{"14:11 unknown_variable"}, msg: `did you mean "name"?`},
	{name: "yes_no into string", yaml: `
  x:
    kind: question
    text: Sure?
    input: { type: yes_no }
    save: name
`, errs: []string{"15:11 type_mismatch"}},
	{name: "text into boolean", yaml: `
  x:
    kind: question
    text: Your name?
    save: ok
`, errs: []string{"14:11 type_mismatch"}},
	{name: "number into string", yaml: `
  x:
    kind: question
    text: How many?
    input: { type: number }
    save: name
`, errs: []string{"15:11 type_mismatch"}},
	{name: "multichoice into string", yaml: `
  x:
    kind: question
    text: Which?
    input: { type: multichoice, options: [A] }
    save: name
`, errs: []string{"15:11 type_mismatch"}},
	{name: "choice without options", yaml: `
  x:
    kind: question
    text: Pick one
    input: { type: choice }
`, errs: []string{"14:12 missing_field"}},
	{name: "choice with empty options", yaml: `
  x:
    kind: question
    text: Pick one
    input: { type: choice, options: [] }
`, errs: []string{"14:37 missing_field"}},
	{name: "unknown variable in option", yaml: `
  x:
    kind: question
    text: Pick one
    input: { type: choice, options: [A, "{{ nme }}"] }
`, errs: []string{"14:45 unknown_variable"}},
	{name: "regex without pattern", yaml: `
  x:
    kind: question
    text: Code?
    input: { type: regex }
`, errs: []string{"14:12 missing_field"}},
	{name: "bad regex", yaml: `
  x:
    kind: question
    text: Code?
    input: { type: regex, pattern: "[a-" }
`, errs: []string{"14:36 bad_regex"}},
	{name: "options on text input", yaml: `
  x:
    kind: question
    text: Hi
    input: { type: text, options: [A] }
`, errs: []string{"14:26 unused_field"}},
	{name: "accept on number input", yaml: `
  x:
    kind: question
    text: Hi
    input:
      type: number
      accept: [image/*]
`, errs: []string{"16:7 unused_field"}},
	{name: "min greater than max", yaml: `
  x:
    kind: question
    text: How many?
    input: { type: number, min: 10, max: 1 }
`, errs: []string{"14:42 out_of_range"}},
	{name: "reminder not before timeout", yaml: `
  x:
    kind: question
    text: Hi
    timeout: 10m
    remind:
      - after: 10m
        text: Still there?
`, errs: []string{"16:16 out_of_range"}},
	{name: "reminder without text", yaml: `
  x:
    kind: question
    text: Hi
    timeout: 10m
    remind:
      - after: 5m
`, errs: []string{"16:9 missing_field"}},
	{name: "remind without timeout", yaml: `
  x:
    kind: question
    text: Hi
    remind:
      - after: 10m
        text: Still there?
`, errs: []string{"14:5 unused_field"}},
	{name: "on_timeout without timeout", yaml: `
  x:
    kind: question
    text: Hi
    on_timeout: done
    next: done
  done:
    kind: end
`, errs: []string{"14:5 unused_field"}, warns: []string{}},
	{name: "unknown on_invalid node", yaml: `
  x:
    kind: question
    text: Hi
    on_invalid: human
`, errs: []string{"14:17 unknown_node"}},
}

var kindsLLMCases = []kindsCase{
	{name: "ok", yaml: `
  x:
    kind: llm
    prompt: "Tell me about {{ name }}"
    instruction: Answer in one paragraph.
    model: { id: openai/gpt-4o-mini, temperature: 0.5 }
    tools: { handoff: auto }
    knowledge: [faq]
    save: name
    next: done
  done:
    kind: end
`, check: func(t *testing.T, f *flows.Flow) {
		l := kindsConfig[LLM](t, f, "x")
		if !l.Reply || l.Converse || l.Save != "name" || l.Prompt == nil || l.AI.Instruction == nil {
			t.Errorf("llm = %+v; want reply (the default), no converse, save name", l)
		}
		if l.AI.Model.ID != "openai/gpt-4o-mini" || l.AI.Model.Temperature == nil || *l.AI.Model.Temperature != 0.5 || l.AI.Model.MaxTokens != nil {
			t.Errorf("model = %+v", l.AI.Model)
		}
		if l.AI.Tools["handoff"] != "auto" || !slices.Equal(l.Knowledge, []string{"faq"}) {
			t.Errorf("tools %v, knowledge %v", l.AI.Tools, l.Knowledge)
		}
		if f.Node("x").Pauses {
			t.Error("an llm node without converse must not pause")
		}
	}},
	{name: "ok json schema and converse", yaml: `
  x:
    kind: llm
    json_schema: { type: object, properties: { city: { type: string } } }
    save: data
    reply: false
    converse: true
    exit_when: data.city != nil
    next: done
  done:
    kind: end
`, check: func(t *testing.T, f *flows.Flow) {
		l := kindsConfig[LLM](t, f, "x")
		if l.JSONSchema["type"] != "object" || l.Reply || !l.Converse || l.ExitWhen == nil {
			t.Errorf("llm = %+v", l)
		}
		if !f.Node("x").Pauses {
			t.Error("an llm node with converse must pause")
		}
	}},
	{name: "neither replies nor saves", yaml: `
  x:
    kind: llm
    reply: false
`, warns: []string{"11:3 unused_field"}},
	{name: "unknown field", yaml: `
  x:
    kind: llm
    promt: Hi
`, errs: []string{"13:5 unknown_field"}, msg: `did you mean "prompt"?`},
	{name: "temperature out of range", yaml: `
  x:
    kind: llm
    model: { temperature: 3 }
`, errs: []string{"13:27 out_of_range"}},
	{name: "unknown model field", yaml: `
  x:
    kind: llm
    model: { temprature: 1 }
`, errs: []string{"13:14 unknown_field"}, msg: `did you mean "temperature"?`},
	{name: "max_tokens out of range", yaml: `
  x:
    kind: llm
    model: { max_tokens: 0 }
`, errs: []string{"13:26 out_of_range"}},
	{name: "json_schema not an object", yaml: `
  x:
    kind: llm
    json_schema: [type, object]
`, errs: []string{"13:18 wrong_type"}},
	{name: "json answer into string", yaml: `
  x:
    kind: llm
    json_schema: { type: object }
    save: name
`, errs: []string{"14:11 type_mismatch"}},
	{name: "answer into integer", yaml: `
  x:
    kind: llm
    save: age
`, errs: []string{"13:11 type_mismatch"}},
	{name: "undeclared save variable", yaml: `
  x:
    kind: llm
    save: answer
`, errs: []string{"13:11 unknown_variable"}},
	{name: "exit_when without converse", yaml: `
  x:
    kind: llm
    exit_when: name != ''
`, errs: []string{"13:5 unused_field"}},
	{name: "unknown variable in exit_when", yaml: `
  x:
    kind: llm
    converse: true
    exit_when: nme != ''
`, errs: []string{"14:16 unknown_variable"}},
	{name: "exit_when not a condition", yaml: `
  x:
    kind: llm
    converse: true
    exit_when: age + 1
`, errs: []string{"14:16 expression"}},
	{name: "converse wrong type", yaml: `
  x:
    kind: llm
    converse: yes
`, errs: []string{"13:15 wrong_type"}},
	{name: "unknown tool", yaml: `
  x:
    kind: llm
    tools: { handof: auto }
`, errs: []string{"13:14 invalid_value"}, msg: `did you mean "handoff"?`},
	{name: "bad tool approval", yaml: `
  x:
    kind: llm
    tools: { handoff: always }
`, errs: []string{"13:23 invalid_value"}},
	{name: "unknown on_error node", yaml: `
  x:
    kind: llm
    on_error: human
`, errs: []string{"13:15 unknown_node"}},
	{name: "unknown variable in prompt", yaml: `
  x:
    kind: llm
    prompt: "About {{ topic }}"
`, errs: []string{"13:23 unknown_variable"}},
}

var kindsBlockCases = []kindsCase{
	{name: "ok", yaml: `
  x:
    kind: block
    url: https://orders.example.com/track
    payload: { order: "{{ name }}", count: 3 }
    headers: { X-Api-Key: secret }
    save: data
    on_timeout: done
    on_error: done
    next: done
  done:
    kind: end
`, check: func(t *testing.T, f *flows.Flow) {
		b := kindsConfig[Block](t, f, "x")
		if b.Timeout != 10*time.Minute || !b.Wait {
			t.Errorf("timeout %v, wait %v; want 10m and true (the defaults)", b.Timeout, b.Wait)
		}
		if b.URL != "https://orders.example.com/track" || b.Headers["X-Api-Key"] == nil || b.Payload == nil || b.Save != "data" {
			t.Errorf("block = %+v", b)
		}
		if b.OnTimeout != "done" || b.OnError != "done" {
			t.Errorf("on_timeout %q, on_error %q", b.OnTimeout, b.OnError)
		}
		if !f.Node("x").Pauses {
			t.Error("a waiting block must pause")
		}
	}},
	{name: "ok call without waiting", yaml: `
  x:
    kind: block
    url: http://localhost:8080/score
    wait: false
    save: data
`, warns: []string{"13:10 bad_url"}, msg: "refused unless the server allows it: localhost is 127.0.0.1, a loopback address", check: func(t *testing.T, f *flows.Flow) {
		b := kindsConfig[Block](t, f, "x")
		if b.Wait || b.Timeout != 30*time.Second {
			t.Errorf("wait %v, timeout %v; want false and 30s", b.Wait, b.Timeout)
		}
		if f.Node("x").Pauses {
			t.Error("a block with wait: false must not pause")
		}
	}},
	{name: "ok explicit timeout", yaml: `
  x:
    kind: block
    url: https://x.example.com/
    timeout: 1h30m
`, check: func(t *testing.T, f *flows.Flow) {
		if b := kindsConfig[Block](t, f, "x"); b.Timeout != 90*time.Minute {
			t.Errorf("timeout %v, want 1h30m", b.Timeout)
		}
	}},
	{name: "unknown field", yaml: `
  x:
    kind: block
    url: https://x.example.com/
    timout: 2m
`, errs: []string{"14:5 unknown_field"}, msg: `did you mean "timeout"?`},
	{name: "missing url", yaml: `
  x:
    kind: block
    save: data
`, errs: []string{"12:5 missing_field"}},
	{name: "relative url", yaml: `
  x:
    kind: block
    url: /track
`, errs: []string{"13:10 bad_url"}},
	{name: "ftp url", yaml: `
  x:
    kind: block
    url: ftp://files.example.com/x
`, errs: []string{"13:10 bad_url"}},
	{name: "bad duration", yaml: `
  x:
    kind: block
    url: https://x.example.com/
    timeout: 0s
`, errs: []string{"14:14 bad_duration"}},
	{name: "invalid header name", yaml: `
  x:
    kind: block
    url: https://x.example.com/
    headers:
      X Api: secret
`, errs: []string{"15:7 invalid_value"}},
	{name: "unknown variable in header", yaml: `
  x:
    kind: block
    url: https://x.example.com/
    headers: { X-Id: "{{ nme }}" }
`, errs: []string{"14:26 unknown_variable"}},
	{name: "unknown variable in payload", yaml: `
  x:
    kind: block
    url: https://x.example.com/
    payload: { order: "{{ nme }}" }
`, errs: []string{"14:27 unknown_variable"}},
	{name: "on_timeout with wait false", yaml: `
  x:
    kind: block
    url: https://x.example.com/
    wait: false
    on_timeout: done
    next: done
  done:
    kind: end
`, errs: []string{"15:5 unused_field"}, warns: []string{}},
	{name: "wait wrong type", yaml: `
  x:
    kind: block
    url: https://x.example.com/
    wait: no
`, errs: []string{"14:11 wrong_type"}},
	{name: "undeclared save variable", yaml: `
  x:
    kind: block
    url: https://x.example.com/
    save: result
`, errs: []string{"14:11 unknown_variable"}},
}

var kindsGotoCases = []kindsCase{
	{name: "ok node", yaml: `
  x:
    kind: goto
    to: done
  done:
    kind: end
`, check: func(t *testing.T, f *flows.Flow) {
		if g := kindsConfig[Goto](t, f, "x"); g.To != "done" || g.Bot != "" {
			t.Errorf("goto = %+v, want to done", g)
		}
	}},
	{name: "ok bot", yaml: `
  x:
    kind: goto
    bot: sales-bot
`, check: func(t *testing.T, f *flows.Flow) {
		if g := kindsConfig[Goto](t, f, "x"); g.Bot != "sales-bot" || g.To != "" {
			t.Errorf("goto = %+v, want bot sales-bot", g)
		}
	}},
	{name: "both to and bot", yaml: `
  x:
    kind: goto
    to: done
    bot: sales
  done:
    kind: end
`, errs: []string{"14:5 conflicting_fields"}, warns: []string{}},
	{name: "neither to nor bot", yaml: `
  x:
    kind: goto
`, errs: []string{"11:3 missing_field"}},
	{name: "unknown node", yaml: `
  x:
    kind: goto
    to: dne
  done:
    kind: end
`, errs: []string{"13:9 unknown_node"}, warns: []string{"14:3 unreachable_node"}, msg: `did you mean "done"?`},
	{name: "invalid bot slug", yaml: `
  x:
    kind: goto
    bot: Sales Bot
`, errs: []string{"13:10 invalid_id"}},
	{name: "unknown field", yaml: `
  x:
    kind: goto
    too: x
`, errs: []string{"11:3 missing_field", "13:5 unknown_field"}, msg: `did you mean "to"?`},
	{name: "loop without pause", yaml: `
  x:
    kind: goto
    to: x
`, errs: []string{"11:3 loop_without_pause"}},
}

var kindsHandoffCases = []kindsCase{
	{name: "ok", yaml: `
  x:
    kind: handoff
    text: Connecting you to an operator.
    reason: "Asked about {{ name }}"
    queue: support
    timeout: 15m
    on_timeout: done
    next: done
  done:
    kind: end
`, check: func(t *testing.T, f *flows.Flow) {
		h := kindsConfig[Handoff](t, f, "x")
		if h.Timeout != 15*time.Minute || h.Queue != "support" || h.OnTimeout != "done" || h.Text == nil || h.Reason == nil {
			t.Errorf("handoff = %+v", h)
		}
		if !f.Node("x").Pauses {
			t.Error("a handoff must pause")
		}
	}},
	{name: "ok minimal", yaml: `
  x:
    kind: handoff
`, check: func(t *testing.T, f *flows.Flow) {
		if h := kindsConfig[Handoff](t, f, "x"); h.Timeout != 0 || h.Next != nil {
			t.Errorf("handoff = %+v, want no timeout and no next", h)
		}
	}},
	{name: "unknown field", yaml: `
  x:
    kind: handoff
    queu: support
`, errs: []string{"13:5 unknown_field"}, msg: `did you mean "queue"?`},
	{name: "on_timeout without timeout", yaml: `
  x:
    kind: handoff
    on_timeout: done
    next: done
  done:
    kind: end
`, errs: []string{"13:5 unused_field"}, warns: []string{}},
	{name: "bad duration", yaml: `
  x:
    kind: handoff
    timeout: forever
`, errs: []string{"13:14 bad_duration"}},
	{name: "queue wrong type", yaml: `
  x:
    kind: handoff
    queue: [a, b]
`, errs: []string{"13:12 wrong_type"}},
	{name: "unknown variable in reason", yaml: `
  x:
    kind: handoff
    reason: "{{ topic }}"
`, errs: []string{"13:17 unknown_variable"}},
}

var kindsBranchCases = []kindsCase{
	{name: "ok", yaml: `
  x:
    kind: branch
    next:
      - if: age >= 18
        to: adult
      - if: ok
        to: adult
      - to: child
  adult:
    kind: end
  child:
    kind: end
`, check: func(t *testing.T, f *flows.Flow) {
		b := kindsConfig[Branch](t, f, "x")
		if b.Next == nil || len(b.Next.Branches) != 3 {
			t.Fatalf("next = %+v, want 3 branches", b.Next)
		}
		br := b.Next.Branches
		if br[0].If == nil || br[0].To != "adult" || br[1].If == nil || br[2].If != nil || br[2].To != "child" {
			t.Errorf("branches = %+v", br)
		}
		if br[2].ToPos != (flows.Pos{Line: 18, Column: 13}) {
			t.Errorf("default target at %+v, want 18:13", br[2].ToPos)
		}
	}},
	{name: "ok plain next", yaml: `
  x:
    kind: branch
    next: done
  done:
    kind: end
`},
	{name: "missing next", yaml: `
  x:
    kind: branch
`, errs: []string{"12:5 missing_field"}},
	{name: "empty next", yaml: `
  x:
    kind: branch
    next:
`, errs: []string{"13:5 missing_field"}},
	{name: "empty next list", yaml: `
  x:
    kind: branch
    next: []
`, errs: []string{"13:11 missing_field"}},
	{name: "next wrong type", yaml: `
  x:
    kind: branch
    next: { to: done }
`, errs: []string{"13:11 wrong_type"}},
	{name: "no default entry", yaml: `
  x:
    kind: branch
    next:
      - if: ok
        to: done
  done:
    kind: end
`, warns: []string{"14:7 no_default_edge"}},
	{name: "entry after default", yaml: `
  x:
    kind: branch
    next:
      - to: done
      - if: ok
        to: done
  done:
    kind: end
`, errs: []string{"15:9 edge_after_default"}},
	{name: "entry without to", yaml: `
  x:
    kind: branch
    next:
      - if: ok
      - to: done
  done:
    kind: end
`, errs: []string{"14:9 missing_field"}},
	{name: "unknown field in entry", yaml: `
  x:
    kind: branch
    next:
      - iff: ok
        to: done
  done:
    kind: end
`, errs: []string{"14:9 unknown_field"}, warns: []string{}, msg: `did you mean "if"?`},
	{name: "unknown variable in condition", yaml: `
  x:
    kind: branch
    next:
      - if: nme == 'a'
        to: done
      - to: done
  done:
    kind: end
`, errs: []string{"14:13 unknown_variable"}},
	{name: "condition not boolean", yaml: `
  x:
    kind: branch
    next:
      - if: age + 1
        to: done
      - to: done
  done:
    kind: end
`, errs: []string{"14:13 expression"}},
	{name: "unknown node in entry", yaml: `
  x:
    kind: branch
    next:
      - if: ok
        to: dne
      - to: done
  done:
    kind: end
`, errs: []string{"15:13 unknown_node"}},
}

var kindsSetCases = []kindsCase{
	{name: "ok", yaml: `
  x:
    kind: set
    assign:
      age: age + 1
      name: upper(name)
      score: age * 1.5
      tags: "[name, 'b']"
      anything: nil
    next: done
  done:
    kind: end
`, check: func(t *testing.T, f *flows.Flow) {
		s := kindsConfig[Set](t, f, "x")
		var got []string
		for _, a := range s.Assign {
			got = append(got, a.Variable)
			if a.Value == nil {
				t.Errorf("%s: no expression", a.Variable)
			}
		}
		if want := []string{"age", "name", "score", "tags", "anything"}; !slices.Equal(got, want) {
			t.Errorf("assignments %v, want %v (file order)", got, want)
		}
	}},
	{name: "missing assign", yaml: `
  x:
    kind: set
`, errs: []string{"12:5 missing_field"}},
	{name: "empty assign", yaml: `
  x:
    kind: set
    assign: {}
`, errs: []string{"13:13 missing_field"}},
	{name: "assign wrong type", yaml: `
  x:
    kind: set
    assign: [age]
`, errs: []string{"13:13 wrong_type"}},
	{name: "undeclared variable", yaml: `
  x:
    kind: set
    assign:
      agee: 1
`, errs: []string{"14:7 unknown_variable"}, msg: `did you mean "age"?`},
	{name: "integer into string", yaml: `
  x:
    kind: set
    assign:
      name: age + 1
`, errs: []string{"14:13 type_mismatch"}},
	{name: "number into integer", yaml: `
  x:
    kind: set
    assign:
      age: score / 2
`, errs: []string{"14:12 type_mismatch"}},
	{name: "a function into any", yaml: `
  x:
    kind: set
    assign:
      anything: now
`, errs: []string{"14:17 type_mismatch"}, msg: "a function, which no variable can keep"},
	{name: "string into boolean", yaml: `
  x:
    kind: set
    assign:
      ok: name
`, errs: []string{"14:11 type_mismatch"}},
	{name: "unknown variable in expression", yaml: `
  x:
    kind: set
    assign:
      age: agee + 1
`, errs: []string{"14:12 unknown_variable"}},
	{name: "expression syntax error", yaml: `
  x:
    kind: set
    assign:
      age: age +
`, errs: []string{"14:16 expression"}},
	{name: "empty expression", yaml: `
  x:
    kind: set
    assign:
      name: " "
`, errs: []string{"14:13 expression"}},
}

var kindsWaitCases = []kindsCase{
	{name: "ok for", yaml: `
  x:
    kind: wait
    for: 3d
    next: done
  done:
    kind: end
`, check: func(t *testing.T, f *flows.Flow) {
		w := kindsConfig[Wait](t, f, "x")
		if w.For != 72*time.Hour || w.Until != nil {
			t.Errorf("wait = %+v, want for 72h", w)
		}
		if !f.Node("x").Pauses {
			t.Error("a wait must pause")
		}
	}},
	{name: "ok until", yaml: `
  x:
    kind: wait
    until: now() + duration('72h')
    next: y
  y:
    kind: wait
    until: "'2030-01-01T09:00:00Z'"
`, check: func(t *testing.T, f *flows.Flow) {
		for _, id := range []string{"x", "y"} {
			if w := kindsConfig[Wait](t, f, id); w.Until == nil || w.For != 0 {
				t.Errorf("%s: wait = %+v, want until", id, w)
			}
		}
	}},
	{name: "both for and until", yaml: `
  x:
    kind: wait
    for: 1h
    until: now()
`, errs: []string{"14:5 conflicting_fields"}},
	{name: "neither for nor until", yaml: `
  x:
    kind: wait
`, errs: []string{"11:3 missing_field"}},
	{name: "bad duration", yaml: `
  x:
    kind: wait
    for: 3 days
`, errs: []string{"13:10 bad_duration"}},
	{name: "until gives a number", yaml: `
  x:
    kind: wait
    until: age + 1
`, errs: []string{"13:12 type_mismatch"}},
	{name: "unknown variable in until", yaml: `
  x:
    kind: wait
    until: deadline
`, errs: []string{"13:12 unknown_variable"}},
	{name: "unknown field", yaml: `
  x:
    kind: wait
    fro: 1d
`, errs: []string{"11:3 missing_field", "13:5 unknown_field"}, msg: `did you mean "for"?`},
}

var kindsEndCases = []kindsCase{
	{name: "ok", yaml: `
  x:
    kind: end
    text: "Bye, {{ name }}!"
`, check: func(t *testing.T, f *flows.Flow) {
		if e := kindsConfig[End](t, f, "x"); e.Text == nil || e.Text.Static() {
			t.Errorf("end = %+v, want a text with an expression", e)
		}
	}},
	{name: "ok silent", yaml: `
  x:
    kind: end
`, check: func(t *testing.T, f *flows.Flow) {
		if e := kindsConfig[End](t, f, "x"); e.Text != nil {
			t.Errorf("text = %v, want none", e.Text)
		}
	}},
	{name: "unknown field", yaml: `
  x:
    kind: end
    txt: Bye
`, errs: []string{"13:5 unknown_field"}, msg: `did you mean "text"?`},
	{name: "wrong type", yaml: `
  x:
    kind: end
    text: [Bye]
`, errs: []string{"13:11 wrong_type"}},
	{name: "unknown variable in text", yaml: `
  x:
    kind: end
    text: "Bye {{ nme }}"
`, errs: []string{"13:19 unknown_variable"}},
}

// kindsCommonCases cover what every node has: kind, ui and description.
var kindsCommonCases = []kindsCase{
	{name: "ok ui and description", yaml: `
  x:
    kind: end
    ui: { x: 10, y: 20.5 }
    description: The last node.
`},
	{name: "unknown kind", yaml: `
  x:
    kind: mesage
`, errs: []string{"12:11 unknown_kind"}, msg: `did you mean "message"?`},
	{name: "missing kind", yaml: `
  x:
    text: Hi
`, errs: []string{"11:3 missing_field"}},
	{name: "null kind", yaml: `
  x:
    kind: ~
`, errs: []string{"11:3 missing_field"}},
	{name: "duplicate field", yaml: `
  x:
    kind: end
    text: Bye
    text: Ciao
`, errs: []string{"14:5 duplicate_key"}},
	{name: "ui wrong type", yaml: `
  x:
    kind: end
    ui: { x: left }
`, errs: []string{"13:14 wrong_type"}},
	{name: "invalid node id", yaml: `
  Greet:
    kind: end
`, errs: []string{"11:3 invalid_id"}},
	{name: "duplicate node id", yaml: `
  x:
    kind: end
  x:
    kind: end
`, errs: []string{"13:3 duplicate_key"}},
}

func TestSettings(t *testing.T) {
	kindsRun(t, "", []kindsCase{
		{name: "ok", yaml: `
bot: test
settings:
  ai:
    instruction: "You help {{ name }}."
    model: { id: openai/gpt-4o-mini, temperature: 0.3, max_tokens: 512 }
    memory: { lastMessages: 20, semanticRecall: true, workingMemory: { enabled: true } }
    formatting: { removeEmojis: true, removeMarkdown: false }
    tools: { handoff: auto, knowledge_search: user_approve }
variables:
  name: { type: string }
`, check: func(t *testing.T, f *flows.Flow) {
			ai := Settings(f)
			if ai.Instruction == nil || ai.Model.ID != "openai/gpt-4o-mini" || *ai.Model.Temperature != 0.3 || *ai.Model.MaxTokens != 512 {
				t.Errorf("model = %+v", ai.Model)
			}
			m := ai.Memory
			if m.LastMessages == nil || *m.LastMessages != 20 || m.WorkingMemory == nil || !*m.WorkingMemory || m.GenerateTitle != nil {
				t.Errorf("memory = %+v", m)
			}
			if ai.Formatting.RemoveMarkdown == nil || *ai.Formatting.RemoveMarkdown || !*ai.Formatting.RemoveEmojis {
				t.Errorf("formatting = %+v", ai.Formatting)
			}
			if len(ai.Tools) != 2 || ai.Tools["knowledge_search"] != "user_approve" {
				t.Errorf("tools = %v", ai.Tools)
			}
		}},
		{name: "no nodes and no ai", yaml: `
bot: test
settings: {}
`, errs: []string{"1:1 no_nodes"}},
		{name: "unknown tool", yaml: `
bot: test
settings:
  ai:
    tools:
      handof: auto
`, errs: []string{"5:7 invalid_value"}, msg: `did you mean "handoff"?`},
		{name: "declared tools", yaml: `
bot: test
settings:
  ai:
    tools: { order_status: auto, stock: operator_approve }
  tools:
    order_status:
      description: Look up an order.
      parameters: { type: object, properties: { id: { type: string } } }
      url: https://shop.example.com/status
    stock:
      description: Count stock.
      block: stock_call
nodes:
  a: { kind: end }
  stock_call: { kind: block, url: "https://stock.example.com/", wait: false }
`},
		{name: "declared tool mistakes", yaml: `
bot: test
settings:
  tools:
    handoff: { description: x, url: "https://a.example.com/" }
    both: { description: x, url: "https://a.example.com/", block: a }
    neither: { description: x }
    "bad name!": { description: x, url: "https://a.example.com/" }
    waits: { description: x, block: w }
    notblock: { description: x, block: a }
    schema: { description: x, url: "https://a.example.com/", parameters: { type: string } }
    nodesc: { url: "https://a.example.com/" }
nodes:
  a: { kind: end }
  w: { kind: block, url: "https://w.example.com/" }
`, errs: []string{"4:5 invalid_value", "5:5 invalid_value", "5:67 invalid_value", "6:5 invalid_value", "7:5 invalid_value", "9:40 invalid_value", "10:74 wrong_type", "11:13 missing_field"}},
		{name: "bad tool approval", yaml: `
bot: test
settings:
  ai:
    tools:
      handoff: always
`, errs: []string{"5:16 invalid_value"}},
		{name: "temperature out of range", yaml: `
bot: test
settings:
  ai:
    model:
      temperature: 3
`, errs: []string{"5:20 out_of_range"}},
		{name: "unknown field in ai", yaml: `
bot: test
settings:
  ai:
    modle: {}
`, errs: []string{"4:5 unknown_field"}, msg: `did you mean "model"?`},
		{name: "unknown settings field", yaml: `
bot: test
settings:
  aii: {}
nodes:
  x:
    kind: end
`, errs: []string{"3:3 unknown_field"}, msg: `did you mean "ai"?`},
		{name: "ai wrong type", yaml: `
bot: test
settings:
  ai: on
nodes:
  x:
    kind: end
`, errs: []string{"3:7 wrong_type"}},
		{name: "unknown variable in instruction", yaml: `
bot: test
settings:
  ai:
    instruction: "Hi {{ nme }}"
`, errs: []string{"4:25 unknown_variable"}},
		{name: "lastMessages out of range", yaml: `
bot: test
settings:
  ai:
    memory: { lastMessages: 1001 }
`, errs: []string{"4:29 out_of_range"}},
		{name: "workingMemory not a mapping", yaml: `
bot: test
settings:
  ai:
    memory: { workingMemory: true }
`, errs: []string{"4:30 wrong_type"}},
		{name: "formatting wrong type", yaml: `
bot: test
settings:
  ai:
    formatting: { removeEmojis: "yes" }
`, errs: []string{"4:33 wrong_type"}},
	})
}

func TestVariables(t *testing.T) {
	kindsRun(t, "", []kindsCase{
		{name: "ok", yaml: `
bot: test
variables:
  name: { type: string, default: "", description: Customer name }
  count: { type: integer, default: 3 }
  price: { type: number, default: 3 }
  tags: { type: list, default: [a, b] }
  extra: { type: object, default: { a: 1 } }
  flag: { type: boolean, default: false }
  note:
nodes:
  x:
    kind: end
    text: "{{ name }} {{ count + price }} {{ flag }} {{ note }} {{ tags[0] }} {{ extra.a }}"
`, check: func(t *testing.T, f *flows.Flow) {
			var names []string
			for _, v := range f.Variables {
				names = append(names, v.Name)
			}
			if want := []string{"name", "count", "price", "tags", "extra", "flag", "note"}; !slices.Equal(names, want) {
				t.Fatalf("variables %v, want %v", names, want)
			}
			if v := f.Variable("name"); v.Type != flows.VarString || !v.HasDefault || v.Default != "" || v.Description != "Customer name" {
				t.Errorf("name = %+v", v)
			}
			if v := f.Variable("count"); v.Type != flows.VarInteger || v.Default != 3 {
				t.Errorf("count = %+v", v)
			}
			if v := f.Variable("flag"); v.Type != flows.VarBoolean || !v.HasDefault || v.Default != false {
				t.Errorf("flag = %+v", v)
			}
			if v := f.Variable("note"); v.Type != flows.VarString || v.HasDefault {
				t.Errorf("note = %+v, want a string without default", v)
			}
			if v := f.Variable("note"); v.Pos != (flows.Pos{Line: 9, Column: 3}) {
				t.Errorf("note declared at %+v, want 9:3", v.Pos)
			}
		}},
		{name: "bad type", yaml: `
bot: test
variables:
  name: { type: strng }
nodes:
  x:
    kind: end
`, errs: []string{"3:17 invalid_value"}, msg: `did you mean "string"?`},
		{name: "unknown field", yaml: `
bot: test
variables:
  name: { defualt: x }
nodes:
  x:
    kind: end
`, errs: []string{"3:11 unknown_field"}, msg: `did you mean "default"?`},
		{name: "string default for integer", yaml: `
bot: test
variables:
  count: { type: integer, default: "3" }
nodes:
  x:
    kind: end
`, errs: []string{"3:36 type_mismatch"}},
		{name: "fractional default for integer", yaml: `
bot: test
variables:
  count: { type: integer, default: 1.5 }
nodes:
  x:
    kind: end
`, errs: []string{"3:36 type_mismatch"}},
		{name: "list default for object", yaml: `
bot: test
variables:
  extra: { type: object, default: [a] }
nodes:
  x:
    kind: end
`, errs: []string{"3:35 type_mismatch"}},
		{name: "reserved name", yaml: `
bot: test
variables:
  input: { type: string }
nodes:
  x:
    kind: end
`, errs: []string{"3:3 reserved_name"}},
		{name: "invalid name", yaml: `
bot: test
variables:
  my-var: { type: string }
nodes:
  x:
    kind: end
`, errs: []string{"3:3 invalid_id"}},
		{name: "duplicate name", yaml: `
bot: test
variables:
  name: { type: string }
  name: { type: integer }
nodes:
  x:
    kind: end
`, errs: []string{"4:3 duplicate_key"}},
		{name: "variables not a mapping", yaml: `
bot: test
variables: [name]
nodes:
  x:
    kind: end
`, errs: []string{"2:12 wrong_type"}},
		{name: "variable not a mapping", yaml: `
bot: test
variables:
  name: string
nodes:
  x:
    kind: end
`, errs: []string{"3:9 wrong_type"}},
	})
}
