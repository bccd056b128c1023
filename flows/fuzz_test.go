package flows

import (
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// fuzzVars are the variables the fuzzed expressions and templates see,
// one of each type.
var fuzzVars = []*Variable{
	{Name: "name", Type: VarString}, {Name: "age", Type: VarInteger}, {Name: "score", Type: VarNumber},
	{Name: "ok", Type: VarBoolean}, {Name: "tags", Type: VarList}, {Name: "profile", Type: VarObject},
	{Name: "extra", Type: VarAny},
}

// fuzzScope is a run-time environment that fits fuzzVars; value is the
// text of every string in it.
func fuzzScope(value string) map[string]any {
	return Scope{
		Variables: map[string]any{
			"name": value, "age": 42, "score": 2.5, "ok": true,
			"tags": []any{"a", value, 3.0}, "profile": map[string]any{"city": value, "n": 1.0},
			"extra": nil,
		},
		Input:  value,
		Dialog: DialogInfo{ID: "d-1", Number: 7, Bot: "fuzz", Channel: "web", Source: "api", StartedAt: time.Unix(1e9, 0).UTC()},
		User:   map[string]any{"name": value},
		Now:    time.Unix(1.7e9, 0).UTC(),
	}.Env()
}

// FuzzExpr compiles arbitrary expressions against a flow's typed
// environment. Compiling never panics and is deterministic, errors point
// inside the source, and a program that compiles runs without panicking
// to a value of its static type (a boolean for conditions).
func FuzzExpr(f *testing.F) {
	for _, src := range []string{
		`age >= 18 && ok`, `name + "!"`, `score * 2 + age`, `len(tags) > 0 ? tags[0] : ""`,
		`profile.city ?? "nowhere"`, `input matches "^[0-9]+$"`, `now().Year() - dialog.started_at.Year()`,
		`user.name == name || extra == nil`, `filter(tags, # != "a") | map(string(#)) | join(",")`,
		`int(input) + 1`, `1 +`, `unknown_var`, `[1, 2][5]`, `age / 0`,
	} {
		f.Add(src, false)
		f.Add(src, true)
	}
	env := NewEnv(fuzzVars)
	f.Fuzz(func(t *testing.T, src string, asBool bool) {
		if len(src) > 1<<10 {
			t.Skip("long expressions are slow to compile")
		}
		program, cerr := env.compile(src, asBool)
		again, cerr2 := env.compile(src, asBool)
		if (program == nil) != (again == nil) || (cerr == nil) != (cerr2 == nil) || cerr != nil && *cerr != *cerr2 {
			t.Fatalf("compiling twice differs: %v, %v", cerr, cerr2)
		}
		if cerr != nil {
			if cerr.message == "" {
				t.Error("a compile error without a message")
			}
			if n := utf8.RuneCountInString(src); cerr.offset < 0 || cerr.offset > n {
				t.Errorf("error offset %d outside the source (%d runes): %s", cerr.offset, n, cerr.message)
			}
			return
		}
		e := &Expr{Source: src, program: program}
		out, err := e.Eval(fuzzScope("Dasha"))
		if err != nil {
			return
		}
		if asBool {
			if _, ok := out.(bool); !ok {
				t.Errorf("a condition gave %T %v", out, out)
			}
		}
		// The static type says what kind of value comes: a string, a
		// boolean, a number, a list or a map. Element types are expr's
		// guess (0..0 is typed []interface{} and gives []int), a method
		// value (now().Year) is typed as the method expression, and
		// function values are not data: those are not compared. reduce
		// is typed as its body, but without an initial value a list of
		// one item gives the item (reduce(0..0, "") is 0): expr's guess
		// too, and a set coerces what it stores.
		if rt := e.ResultType(); rt != nil && out != nil && rt.Kind() != reflect.Func && !strings.Contains(src, "reduce") && !sameKind(rt, reflect.TypeOf(out)) {
			t.Errorf("static type %v, got %T %v", rt, out, out)
		}
	})
}

// FuzzTemplate compiles an arbitrary template as a bot file's scalar and
// renders it with arbitrary variable text. Nothing panics; a template
// that does not compile has an error inside the file; one that compiles
// splits back into its source, and renders deterministically.
func FuzzTemplate(f *testing.F) {
	for _, seed := range [][2]string{
		{"Hello, {{ name }}!", "Dasha"},
		{"{{ age + 1 }} years, {{ score * 2 }} points", ""},
		{"{{ tags }} {{ profile }} {{ extra }}", `"quoted" & <b>`},
		{"Привет, {{ upper(name) }} 🎉", "Даша"},
		{"{{ ok ? 'yes' : 'no' }} {{ user.name }} #{{ dialog.number }} {{ now().Year() }}", "x"},
		{"{{ profile.city ?? 'nowhere' }}", "Berlin"},
		{"no expressions } { }}", "x"},
		{"{{ 1 +", ""}, {"a {{ }} b", ""}, {"{{ unknown }}", ""}, {`{{ {"a": 1} }}`, ""},
		{"line one\n  {{ name\n }}\ttab", "x"},
	} {
		f.Add(seed[0], seed[1])
	}
	env := NewEnv(fuzzVars)
	f.Fuzz(func(t *testing.T, src, value string) {
		if len(src) > 1<<10 || !utf8.ValidString(src) {
			t.Skip("bot files are UTF-8; long templates are slow to compile")
		}
		doc, err := yaml.Marshal(map[string]string{"v": src})
		if err != nil {
			t.Skip(err)
		}
		var root yaml.Node
		if err := yaml.Unmarshal(doc, &root); err != nil {
			t.Skip("yaml.v3 cannot read what it wrote (a known emitter bug with tabs):", err)
		}
		n := findScalar(&root, "v")
		if n == nil || n.Value != src {
			t.Skip("the YAML round trip changed the text")
		}
		lines := splitLines(string(doc))
		c := &Checker{Reporter: Reporter{file: "fuzz.yaml"}, Flow: &Flow{File: "fuzz.yaml", env: env}, lines: lines}
		tpl := c.compileTemplate(n)
		for _, p := range c.problems {
			if p.Code == "" || p.Message == "" || p.Line > len(lines) {
				t.Errorf("bad problem %+v in a file of %d lines", p, len(lines))
			}
		}
		if tpl == nil {
			if !c.problems.HasErrors() {
				t.Fatal("no template and no error")
			}
			return
		}
		if c.problems.HasErrors() {
			t.Fatalf("a template with errors: %v", c.problems)
		}
		if got := joinParts(tpl); got != src {
			t.Fatalf("parts join to %q, want %q", got, src)
		}
		out, err := tpl.Render(fuzzScope(value))
		out2, err2 := tpl.Render(fuzzScope(value))
		if out != out2 || (err == nil) != (err2 == nil) {
			t.Fatalf("rendering twice differs: %q, %v; %q, %v", out, err, out2, err2)
		}
		if err != nil && out != "" {
			t.Errorf("an error with text %q: %v", out, err)
		}
		if tpl.Static() && (err != nil || out != src) {
			t.Errorf("static template rendered %q, %v", out, err)
		}
	})
}

// joinParts writes a template back: its text and {{ expressions }}.
func joinParts(t *Template) string {
	var b strings.Builder
	for _, p := range t.Parts {
		if p.Expr == nil {
			b.WriteString(p.Text)
		} else {
			b.WriteString("{{" + p.Expr.Source + "}}")
		}
	}
	return b.String()
}

// sameKind reports whether a value of type got is of the kind static
// promises: any value for an interface, any number for a number.
func sameKind(static, got reflect.Type) bool {
	number := func(k reflect.Kind) bool { return k >= reflect.Int && k <= reflect.Float64 }
	switch k := static.Kind(); {
	case k == reflect.Interface:
		return true
	case number(k):
		return number(got.Kind())
	case k == reflect.Slice || k == reflect.Array:
		return got.Kind() == reflect.Slice || got.Kind() == reflect.Array
	case k == reflect.Struct:
		return got.AssignableTo(static)
	}
	return got.Kind() == static.Kind()
}
