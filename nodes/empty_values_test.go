package nodes

import "testing"

// TestEmptyValuesAndFollowOnErrors covers two rules: a field written with no
// value is the same as a field left out, and a field with a reported problem
// does not cause further errors in checks that depend on it.
func TestEmptyValuesAndFollowOnErrors(t *testing.T) {
	kindsRun(t, kindsHeader, []kindsCase{
		{name: "message with empty text", yaml: `
  x:
    kind: message
    text:
`, errs: []string{"11:3 missing_field"}},
		{name: "goto with empty to", yaml: `
  x:
    kind: goto
    to:
`, errs: []string{"11:3 missing_field"}},
		{name: "goto with empty bot is fine", yaml: `
  x:
    kind: goto
    to: y
    bot: ~
  y:
    kind: end
`},
		{name: "wait with empty for", yaml: `
  x:
    kind: wait
    for: ~
`, errs: []string{"11:3 missing_field"}},
		{name: "choice with empty options", yaml: `
  x:
    kind: question
    text: Pick
    input: { type: choice, options: ~ }
`, errs: []string{"14:12 missing_field"}},
		{name: "handoff on_timeout with empty timeout", yaml: `
  x:
    kind: handoff
    timeout: ~
    on_timeout: x
`, errs: []string{"14:5 unused_field"}},
		{name: "branch entry with empty if", yaml: `
  x:
    kind: branch
    next:
      - if:
        to: y
  y:
    kind: end
`, errs: []string{"14:9 missing_field"}},
		{name: "bad input type only", yaml: `
  x:
    kind: question
    text: Pick
    input: { type: choise, options: [A, B] }
`, errs: []string{"14:20 invalid_value"}, msg: `did you mean "choice"?`},
		{name: "bad option only", yaml: `
  x:
    kind: question
    text: Pick
    input: { type: choice, options: ["{{ nme }}"] }
`, errs: []string{"14:42 unknown_variable"}},
		{name: "converse not a boolean only", yaml: `
  x:
    kind: llm
    converse: yes
    exit_when: ok
`, errs: []string{"13:15 wrong_type"}},
		{name: "YAML integer forms", yaml: `
  x:
    kind: question
    text: Age?
    retries: 0x10
  y:
    kind: llm
    model: { max_tokens: 1_000 }
`, warns: []string{"15:3 unreachable_node"}},
	})
}
