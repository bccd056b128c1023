package convtest

import (
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/store"
)

const newItem = "- name: new\n  steps:\n    - user: Hi\n      expect:\n        says: [Hello]\n"

// TestAppendTest: a test is added at the end of the tests list, the rest
// of the file kept byte for byte.
func TestAppendTest(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"new file", "", "bot: shop\ntests:\n" + indented("  ")},
		{"blank file", " \n", "bot: shop\ntests:\n" + indented("  ")},
		{"no tests key", "bot: shop # the shop\n", "bot: shop # the shop\ntests:\n" + indented("  ")},
		{"no final newline", "bot: shop\ntests:\n  - name: a # first\n    steps: []",
			"bot: shop\ntests:\n  - name: a # first\n    steps: []\n" + indented("  ")},
		{"items at column 1", "tests:\n- name: a\n  steps: []\n\n# the end\n",
			"tests:\n- name: a\n  steps: []\n\n# the end\n" + indented("")},
		{"indented 4", "tests:\n    - name: a\n", "tests:\n    - name: a\n" + indented("    ")},
		{"a key after the tests", "tests:\n  - name: a\n    steps: []\n\n# mocks shared\nbot: shop\n",
			"tests:\n  - name: a\n    steps: []\n" + indented("  ") + "\n# mocks shared\nbot: shop\n"},
		{"empty tests key", "tests:\nbot: shop\n", "tests:\n" + indented("  ") + "bot: shop\n"},
		{"empty list", "bot: shop\ntests: [] # none yet\n", "bot: shop\ntests: # none yet\n" + indented("  ")},
		{"CRLF", "bot: shop\r\ntests:\r\n  - name: a\r\n", "bot: shop\r\ntests:\r\n  - name: a\r\n" + strings.ReplaceAll(indented("  "), "\n", "\r\n")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := AppendTest([]byte(tc.src), "shop", []byte(newItem))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
	for _, tc := range []struct{ name, src string }{
		{"flow list", "tests: [{name: a}]\n"},
		{"broken file", "tests: 3\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, err := AppendTest([]byte(tc.src), "shop", []byte(newItem)); err == nil {
				t.Errorf("appended to %q: %q", tc.src, got)
			}
		})
	}
}

func indented(pad string) string {
	var b strings.Builder
	for l := range strings.Lines(newItem) {
		b.WriteString(pad + l)
	}
	return b.String()
}

// TestCaseFrom: a transcript becomes a step per user message with what the
// bot said after it, the timers' messages as steps of their own after the
// time that passed, and the end where the dialog is now.
func TestCaseFrom(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return t0.Add(d) }
	msgs := []store.Message{
		{Role: store.MessageAssistant, Text: "Size?", Buttons: []string{"S", "M"}, CreatedAt: at(100 * time.Millisecond)},
		{Role: store.MessageUser, Text: "M", CreatedAt: at(4 * time.Second)},
		{Role: store.MessageAssistant, Text: "/a+b/", CreatedAt: at(4*time.Second + 50*time.Millisecond)},
		{Role: store.MessageAssistant, Text: "Still there?", CreatedAt: at(5*time.Minute + 4*time.Second + 300*time.Millisecond)},
		{Role: store.MessageUser, Text: "yes", CreatedAt: at(20 * time.Minute)},
		{Role: store.MessageAssistant, Text: "Thinking aloud", Usage: &store.Usage{}, CreatedAt: at(20*time.Minute + 9*time.Second)},
	}
	rec, err := CaseFrom("from #3", Transcript{Messages: msgs, Status: store.StatusInProcess, Node: "ask_more", CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	want := `- name: 'from #3'
  llm:
    - Thinking aloud
  steps:
    - expect:
        says: ['Size?']
    - user: M
      expect:
        says: [/^/a\+b/$/]
    - after: 5m2s
      expect:
        says: ['Still there?']
    - after: 14m54s
      user: "yes"
      expect:
        says: [Thinking aloud]
        waiting: ask_more
        status: in-process
`
	if string(rec.YAML) != want || rec.Stopped != "" {
		t.Errorf("got (stopped %q)\n%s\nwant\n%s", rec.Stopped, rec.YAML, want)
	}
	s, problems := Parse("x", append([]byte("tests:\n"), rec.YAML...))
	if len(problems) > 0 || *s.Tests[0].Steps[3].User != "yes" {
		t.Errorf("the recorded test does not read back: %v", problems)
	}

	operator := append(msgs[:2:2], store.Message{Role: store.MessageOperator, Text: "Hi, Bob here"}, store.Message{Role: store.MessageUser, Text: "Bob!"})
	rec, err = CaseFrom("stopped", Transcript{Messages: operator, Status: store.StatusOperator, CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Stopped != "an operator joined" || strings.Contains(string(rec.YAML), "Bob") || strings.Contains(string(rec.YAML), "status") {
		t.Errorf("a transcript an operator joined: stopped %q\n%s", rec.Stopped, rec.YAML)
	}
}
