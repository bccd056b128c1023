package convtest

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSameJSON(t *testing.T) {
	for _, tc := range []struct {
		name    string
		a, b    any
		same    bool
		errPart string
	}{
		{"ints and floats", 3, 3.0, true, ""},
		{"objects", map[string]any{"a": []any{1}}, map[string]any{"a": []any{1.0}}, true, ""},
		{"different", "3", 3, false, ""},
		{"NaN and null", math.NaN(), nil, false, "NaN cannot be encoded as JSON"},
		{"null and +Inf", nil, math.Inf(1), false, "+Inf cannot be encoded as JSON"},
		{"two NaNs", math.NaN(), math.NaN(), false, "NaN cannot be encoded as JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			same, err := sameJSON(tc.a, tc.b)
			if same != tc.same || (err == nil) != (tc.errPart == "") || (err != nil && !strings.Contains(err.Error(), tc.errPart)) {
				t.Errorf("sameJSON(%v, %v) = %v, %v; want %v and an error with %q", tc.a, tc.b, same, err, tc.same, tc.errPart)
			}
		})
	}
}

// TestExpectationThatCannotBeJSON: an expected value JSON cannot encode
// fails the step and says why, rather than matching a null variable (both
// once read as null).
func TestExpectationThatCannotBeJSON(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("limit.yaml", `bot: limit
variables:
  limit: { type: object }
nodes:
  hi:
    kind: end
    text: Hi.
`)
	write("limit.test.yaml", `bot: limit
tests:
  - name: an infinite limit is not null
    steps:
      - expect: { says: ["Hi."], variables: { limit: .inf } }
`)
	s, err := Load(filepath.Join(dir, "limit.test.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(t.Context(), s)
	if err != nil {
		t.Fatal(err)
	}
	want := "variable limit cannot be compared: +Inf cannot be encoded as JSON: json: unsupported value: +Inf"
	if res.Passed != 0 || len(res.Failures) != 1 || res.Failures[0].Message != want {
		t.Errorf("passed %d, failures %v; want the failure %q", res.Passed, res.Failures, want)
	}
}
