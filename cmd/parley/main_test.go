package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/flows"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestValidateExamples(t *testing.T) {
	paths, _ := filepath.Glob("../../examples/bots/*.yaml")
	code, stdout, stderr := runCLI(t, append([]string{"validate"}, paths...)...)
	if code != 0 || stdout != "" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 0 and no problems", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "0 errors") {
		t.Errorf("summary %q does not report 0 errors", stderr)
	}
}

const badBot = `bot: bad
nodes:
  a:
    kind: message
    txt: hi
    next: b
  b:
    kind: wait
    for: soon
`

func TestValidateReportsEveryProblem(t *testing.T) {
	path := writeFile(t, "bad.yaml", badBot)
	code, stdout, _ := runCLI(t, "validate", path)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	want := []string{
		path + `:3:3: missing_field: message node "a" needs "text" or "attachments"`,
		path + `:5:5: unknown_field: message node "a" has no field "txt" (did you mean "text"?)`,
		path + `:9:10: bad_duration: "for": use a number and a unit (ms, s, m, h, d, w), like 30s, 10m, 2h, 3d or 1h30m`,
	}
	if got := strings.Split(strings.TrimSpace(stdout), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestValidateJSON(t *testing.T) {
	path := writeFile(t, "bad.yaml", badBot)
	code, stdout, _ := runCLI(t, "validate", "--format", "json", path)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	var report struct {
		Valid    bool
		Problems []flows.Problem
	}
	if err := json.Unmarshal([]byte(stdout), &report); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, stdout)
	}
	if report.Valid || len(report.Problems) != 3 || report.Problems[1].Line != 5 || report.Problems[1].Column != 5 || report.Problems[1].Code != "unknown_field" {
		t.Errorf("unexpected report %+v", report)
	}
	if !strings.Contains(stdout, `"severity": "error"`) {
		t.Errorf("severity is not rendered as text:\n%s", stdout)
	}
}

func TestValidateWarningsAreNotFatal(t *testing.T) {
	path := writeFile(t, "warn.yaml", "bot: w\nnodes:\n  a: { kind: end }\n  b: { kind: end }\n")
	code, stdout, _ := runCLI(t, "validate", path)
	want := path + `:4:3: warning: unreachable_node: node "b" is never reached from the start node "a"` + "\n"
	if code != 0 || stdout != want {
		t.Errorf("exit %d, stdout %q; want 0 and %q", code, stdout, want)
	}
}

func TestValidateUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"no files", []string{"validate"}, 2},
		{"bad format", []string{"validate", "--format", "xml", "a.yaml"}, 2},
		{"unknown flag", []string{"validate", "--strict", "a.yaml"}, 2},
		{"unknown command", []string{"frobnicate"}, 2},
		{"no command", nil, 2},
		{"help", []string{"help"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, _, _ := runCLI(t, tt.args...); code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
		})
	}
}

func TestValidateMissingFile(t *testing.T) {
	code, stdout, _ := runCLI(t, "validate", "no/such/bot.yaml")
	if code != 1 || !strings.HasPrefix(stdout, "no/such/bot.yaml:1:1: read_error: ") {
		t.Errorf("exit %d, stdout %q", code, stdout)
	}
}

func TestSchemaCommand(t *testing.T) {
	code, stdout, _ := runCLI(t, "schema")
	committed, err := os.ReadFile("../../schemas/flow.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if code != 0 || stdout != string(committed) {
		t.Errorf("exit %d; `parley schema` differs from schemas/flow.schema.json", code)
	}
}

// TestReadmeBotIsValid keeps the bot shown in the README loadable.
func TestReadmeBotIsValid(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, found := strings.Cut(string(readme), "```yaml\n")
	bot, _, closed := strings.Cut(rest, "```")
	if !found || !closed {
		t.Fatal("README.md has no ```yaml block")
	}
	path := writeFile(t, "readme.yaml", bot)
	if code, stdout, _ := runCLI(t, "validate", path); code != 0 || stdout != "" {
		t.Errorf("the README's bot does not validate (exit %d):\n%s", code, stdout)
	}
}

func TestValidateYAMLSyntaxError(t *testing.T) {
	path := writeFile(t, "syntax.yaml", "bot: s\nnodes:\n  a:\n    kind: message\n    text: Hi {{ x ? 'a' : 'b' }}\n")
	code, stdout, _ := runCLI(t, "validate", path)
	want := path + `:5:1: yaml_syntax: mapping values are not allowed in this context; a value that contains ": " (like a ? : expression) must be quoted` + "\n"
	if code != 1 || stdout != want {
		t.Errorf("exit %d\ngot  %q\nwant %q", code, stdout, want)
	}
}
