package convtest

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

const sizeBot = `bot: size
variables:
  size: { type: string }
nodes:
  ask_size:
    kind: question
    text: Size?
    input: { type: choice, options: [S, M] }
    save: size
    next: thanks
  thanks:
    kind: message
    text: "Thanks, {{ size }}."
    next: ask_more
  ask_more:
    kind: question
    text: Anything else?
    next: bye
  bye:
    kind: end
    text: Bye.
`

// TestFailureWhere: a failure names its step by index and line, the node
// concerned, and what was expected and got.
func TestFailureWhere(t *testing.T) {
	s, problems := Parse("size.test.yaml", []byte(`tests:
  - name: passes
    steps:
      - expect: { says: ["Size?"], waiting: ask_size }
  - name: fails
    steps:
      - expect: { says: ["Size?"] }
      - user: M
        expect: { says: ["Thanks, L.", "Anything else?"] }
      - user: no
        expect: { status: completed, waiting: "" }
`))
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	s.Sources = []string{sizeBot}
	res, err := Run(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if res.Passed != 1 || len(res.Cases) != 2 || len(res.Cases[0].Failures) != 0 || res.Cases[1].Name != "fails" {
		t.Fatalf("result %+v", res)
	}
	got := res.Cases[1].Failures
	if len(got) != 1 {
		t.Fatalf("failures %+v, want one", got)
	}
	f := got[0]
	want := Failure{Test: "fails", Line: 8, Step: 1, Node: "thanks", Message: f.Message,
		Expected: []string{"Thanks, L.", "Anything else?"}, Got: []string{"Thanks, M.", "Anything else?"}}
	if !reflect.DeepEqual(f, want) || !strings.Contains(f.Message, `want ["Thanks, L."`) {
		t.Errorf("failure %+v, want %+v", f, want)
	}
}

// TestTimeout: a test that runs longer than the suite's timeout fails and
// is stopped.
func TestTimeout(t *testing.T) {
	s, _ := Parse("size.test.yaml", []byte("tests:\n  - name: slow\n    steps:\n      - expect: { says: [\"Size?\"] }\n      - user: S\n"))
	s.Sources, s.Timeout = []string{sizeBot}, time.Nanosecond
	res, err := Run(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	if res.Passed != 0 || len(res.Failures) != 1 || !strings.HasPrefix(res.Failures[0].Message, "the test was stopped: ") {
		t.Errorf("failures %+v", res.Failures)
	}
}
