package convtest

import (
	"fmt"
	"strings"
	"testing"
)

// TestParse: a test file's problems come with their line and column, all
// of them at once.
func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string // line:column: code, in order
		tests     int
	}{
		{"ok", "bot: shop\ntests:\n  - name: hi\n    steps:\n      - user: Hi\n        expect: { says: [Hello] }\n", nil, 1},
		{"no tests yet", "bot: shop\ntests:\n", nil, 0},
		{"empty list", "tests: []\n", nil, 0},
		{"syntax", "bot: a\ntests:\n  - name: a\n    steps: x: y\n", []string{"4:1: yaml_syntax"}, 0},
		{"empty", "# nothing\n", []string{"1:1: missing_field"}, 0},
		{"not a mapping", "- a\n", []string{"1:1: wrong_type"}, 0},
		{"unknown fields", "tests:\n  - name: a\n    stepz: []\n    steps:\n      - usr: Hi\n        expect: { sayz: [x] }\n",
			[]string{"3:5: unknown_field", "5:9: unknown_field", "6:19: unknown_field"}, 1},
		{"wrong type", "tests:\n  - name: a\n    steps:\n      - user: Hi\n        expect:\n          pending: many\n",
			[]string{"6:20: wrong_type"}, 0},
		{"bad duration", "tests:\n  - name: a\n    steps:\n      - after: soon\n", []string{"4:16: bad_duration"}, 0},
		{"no name", "tests:\n  - steps: []\n", []string{"2:5: missing_field"}, 0},
		{"same name", "tests:\n  - name: a\n  - name: a\n", []string{"3:11: duplicate_key"}, 2},
		{"tests not a list", "tests: 3\n", []string{"1:8: wrong_type"}, 0},
		{"step not a mapping", "tests:\n  - name: a\n    steps: [hello]\n", []string{"3:13: wrong_type"}, 0},
		{"a model answer's fields", "tests:\n  - name: a\n    llm: [Hi, {tool: t, args: {}}]\n", []string{"3:25: unknown_field"}, 1},
		{"a field twice", "tests:\n  - name: a\n    steps:\n      - user: a\n        user: b\n", []string{"5:9: duplicate_key"}, 0},
		{"two documents", "tests: []\n---\ntests: []\n", []string{"2:1: unsupported_yaml"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, problems := Parse("x.test.yaml", []byte(tc.src))
			var got []string
			for _, p := range problems {
				got = append(got, fmt.Sprintf("%d:%d: %s", p.Line, p.Column, p.Code))
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("problems %v (%v), want %v", got, problems, tc.want)
			}
			if len(s.Tests) != tc.tests {
				t.Errorf("%d tests, want %d", len(s.Tests), tc.tests)
			}
		})
	}
}

// TestParseLines: steps know their line and their index.
func TestParseLines(t *testing.T) {
	s, problems := Parse("x", []byte("tests:\n  - name: a\n    steps:\n      - expect: { says: [] }\n      # a comment\n      - user: b\n"))
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	steps := s.Tests[0].Steps
	if s.Tests[0].Line != 2 || len(steps) != 2 || steps[0].Line != 4 || steps[1].Line != 6 || steps[1].index != 1 {
		t.Errorf("test line %d, steps %+v", s.Tests[0].Line, steps)
	}
}
