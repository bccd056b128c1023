package nodes

import (
	"os"
	"testing"
)

// BenchmarkLoad measures loading and checking the largest example bot, the
// cost of `parley validate` and of publishing a flow version.
func BenchmarkLoad(b *testing.B) {
	src, err := os.ReadFile("../examples/bots/leads.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, problems := Load("leads.yaml", src); problems.HasErrors() {
			b.Fatal(problems)
		}
	}
}
