package nodes

import (
	"fmt"
	"testing"

	"github.com/parleyhq/parley/flows"
)

type at struct {
	line, col int
	code      string
}

func positions(ps flows.Problems) []at {
	out := make([]at, len(ps))
	for i, p := range ps {
		out[i] = at{p.Line, p.Column, p.Code}
	}
	return out
}

// TestEveryMistakeReportedInFileOrder checks that independent mistakes are
// all reported, each once, in file order, whatever order they are found in.
func TestEveryMistakeReportedInFileOrder(t *testing.T) {
	src := `bot: shop
nodes:
  ask:
    kind: question
    text: "Hi {{ nmae }}"
    input: { type: emial }
    timout: 5m
    next: thank
  thanks:
    kind: end
variables:
  name: { type: string, default: 3 }
start: ask
`
	_, problems := Load("shop.yaml", []byte(src))
	want := []at{
		{5, 18, flows.CodeUnknownVariable},
		{6, 20, flows.CodeInvalidValue},
		{7, 5, flows.CodeUnknownField},
		{8, 11, flows.CodeUnknownNode},
		{9, 3, flows.CodeUnreachable},
		{12, 34, flows.CodeTypeMismatch},
	}
	if got := positions(problems); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got\n%v\nwant\n%v\nproblems:\n%v", got, want, problems)
	}
	for _, p := range problems {
		if p.File != "shop.yaml" {
			t.Errorf("problem without the file name: %v", p)
		}
	}
	wantText := `shop.yaml:7:5: unknown_field: question node "ask" has no field "timout" (did you mean "timeout"?)`
	if got := problems[2].String(); got != wantText {
		t.Errorf("got %q\nwant %q", got, wantText)
	}
}
