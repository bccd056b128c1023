package flows

import "testing"

// BenchmarkEval is the cost of the expressions a turn runs: a condition,
// a set and a template part that build text.
func BenchmarkEval(b *testing.B) {
	env := NewEnv(fuzzVars)
	scope := fuzzScope("Dasha")
	for _, bc := range []struct{ name, src string }{
		{"condition", `age >= 18 && ok`},
		{"concat", `upper(name) + ", " + string(age)`},
		{"list", `filter(tags, # != "a") | map(string(#)) | join(",")`},
	} {
		program, cerr := env.compile(bc.src, false)
		if cerr != nil {
			b.Fatal(cerr.message)
		}
		e := &Expr{Source: bc.src, program: program}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.Eval(scope); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
