package flows

import (
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/expr-lang/expr"
)

// TestExpressionsCannotExhaustMemory runs expressions that, unbounded,
// build terabytes (each one killed the test process before the bounds):
// each stops with an error that names the limit, having allocated little.
func TestExpressionsCannotExhaustMemory(t *testing.T) {
	env := NewEnv(fuzzVars)
	for _, src := range []string{
		`len(reduce(1..40, #acc + #acc, "x"))`,
		`len(reduce(1..40, #acc + #acc, extra ?? "x"))`, // + typed only at run time
		`len(repeat(repeat("x", 999999), 999999))`,
		`len(replace(repeat("x", 100000), "", "yyyyyyyyyy"))`,
		`len(reduce(1..100, toBase64(#acc), "xxxx"))`,
		`len(reduce(1..60, toJSON(#acc), "\""))`,
		`len(toJSON(reduce(1..40, [#acc, #acc], [1])))`,
		`len(string(reduce(1..40, [#acc, #acc], [1])))`,
		`len(flatten(reduce(1..40, [#acc, #acc], [1])))`,
		`len(reduce(1..40, concat(#acc, #acc), [1]))`,
		`len(join(reduce(1..40, concat(#acc, #acc), ["x"]), ""))`,
		`len(map(1..100000, repeat("x", 1000) + name))`,
		`len(toJSON(reduce(1..100000, [#acc], [])))`,
		`reduce(1..40, #acc + #acc, "x")`,
		`reduce(1..22, [#acc, #acc], [name])`, // small in memory, 4M items written out
	} {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		out, err := mustCompile(t, env, src).Eval(fuzzScope("Dasha"))
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), "MiB") && !strings.Contains(err.Error(), "nested deeper") {
			t.Errorf("%s = %.40v, %v; want an error naming the limit", src, out, err)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
			t.Errorf("%s allocated %d MiB before stopping", src, alloc>>20)
		}
	}
}

// TestBoundsKeepExpressions: the bounds change neither what an expression
// gives nor the type the loader checks it against, ?. chains included.
func TestBoundsKeepExpressions(t *testing.T) {
	env := NewEnv(fuzzVars)
	scope := fuzzScope("Dasha")
	for _, c := range []struct {
		src  string
		want any
	}{
		{`name + "!"`, "Dasha!"},
		{`upper(name) + " " + lower(name)`, "DASHA dasha"},
		{`filter(tags, # != "a") | map(string(#)) | join(",")`, "Dasha,3"},
		{`profile?.city + "?"`, "Dasha?"},
		{`extra?.foo?.bar`, nil},
		{`(extra?.foo ?? "none") + "!"`, "none!"},
		{`let x = name + "a"; x + "b"`, "Dashaab"},
		{`repeat("ab", 3)`, "ababab"},
		{`replace("a-b-c", "-", "+")`, "a+b+c"},
		{`replace("a-b-c", "-", "+", 1)`, "a+b-c"},
		{`toJSON([1, "x"])`, "[\n  1,\n  \"x\"\n]"},
		{`string(age)`, "42"},
		{`flatten([[1], [2, [3]]])`, []any{1, 2, 3}},
		{`concat([1], [2])`, []any{1, 2}},
		{`len(split(repeat("a,", 1000), ","))`, 1001},
		{`now().Format("2006")`, "2023"},
		{`dialog.id + ":" + string(dialog.number)`, "d-1:7"},
		{`reduce(1..5, #acc + #acc, "x")`, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},
		{`age + 1`, 43},
		{`score + extra ?? 0`, 2.5},
	} {
		got, err := mustCompile(t, env, c.src).Eval(scope)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s = %#v, %v; want %#v", c.src, got, err, c.want)
		}
		plain, perr := expr.Compile(c.src, expr.Env(env.types), expr.MaxNodes(2000))
		if perr != nil {
			t.Fatalf("%s without bounds: %v", c.src, perr)
		}
		bounded := mustCompile(t, env, c.src).program.Node().Type()
		if pt := plain.Node().Type(); pt != bounded {
			t.Errorf("%s is typed %v, %v without bounds", c.src, bounded, pt)
		}
	}
	for _, src := range []string{`name + 1`, `upper(1)`, `join(age)`, `repeat(name)`, `(name + "x").foo`} {
		if _, cerr := env.compile(src, false); cerr == nil {
			t.Errorf("%s compiled; want a type error", src)
		}
	}
}

// TestValuesAndTemplatesBounded: an expression gives no value over the
// limits, even one it only passes on, and a template renders no more
// than MaxValueBytes in all.
func TestValuesAndTemplatesBounded(t *testing.T) {
	env := NewEnv(fuzzVars)
	scope := fuzzScope("Dasha")
	deep := any("x")
	for range MaxValueDepth + 1 {
		deep = []any{deep}
	}
	scope["extra"] = deep
	if _, err := mustCompile(t, env, `extra`).Eval(scope); err == nil || !strings.Contains(err.Error(), "nested deeper than 64") {
		t.Errorf("a value nested %d deep: %v", MaxValueDepth+1, err)
	}
	scope["extra"] = strings.Repeat("x", MaxValueBytes)
	if _, err := mustCompile(t, env, `extra`).Eval(scope); err == nil || !strings.Contains(err.Error(), "1 MiB") {
		t.Errorf("a value over 1 MiB: %v", err)
	}
	scope["extra"] = strings.Repeat("x", MaxValueBytes/2)
	tpl := &Template{Source: "{{ extra }}{{ extra }}{{ extra }}"}
	for range 3 {
		tpl.Parts = append(tpl.Parts, TemplatePart{Expr: mustCompile(t, env, `extra`)})
	}
	if out, err := tpl.Render(scope); err == nil || out != "" || !strings.Contains(err.Error(), "1 MiB") {
		t.Errorf("rendering 1.5 MiB: %d bytes, %v", len(out), err)
	}
	if _, present := scope[budgetName]; present {
		t.Error("Eval left its budget in the environment")
	}
}

func TestHoldsFunction(t *testing.T) {
	now := func() time.Time { return time.Time{} }
	for v, want := range map[*any]bool{
		ptr(now): true, ptr([]any{1, now}): true, ptr(map[string]any{"a": []any{now}}): true,
		ptr("now"): false, ptr([]any{1, "x", map[string]any{"t": time.Time{}}}): false, ptr(nil): false,
	} {
		if got := HoldsFunction(*v); got != want {
			t.Errorf("HoldsFunction(%#v) = %v, want %v", *v, got, want)
		}
	}
}

func ptr(v any) *any { return &v }

func mustCompile(t *testing.T, env *Env, src string) *Expr {
	t.Helper()
	program, cerr := env.compile(src, false)
	if cerr != nil {
		t.Fatalf("%s: %s", src, cerr.message)
	}
	return &Expr{Source: src, program: program}
}

// TestBooleanTypedGivesBoolean: expr types `a && b` as a boolean but
// gives b itself when b's type is known only at run time; an expression
// typed boolean that gives anything else is an error that says what to
// change, never a number in a condition or a boolean variable (FuzzExpr
// found `profile!=nil&&0??true`, which gave 0).
func TestBooleanTypedGivesBoolean(t *testing.T) {
	env := NewEnv(fuzzVars)
	for _, src := range []string{`profile != nil && 0 ?? true`, `ok && (extra ?? 1)`, `!ok || (age ?? false)`} {
		got, err := mustCompile(t, env, src).Eval(fuzzScope("Dasha"))
		if err == nil || !strings.Contains(err.Error(), "where a boolean is due") {
			t.Errorf("%s = %T %v, %v; want an error saying a boolean is due", src, got, got, err)
		}
	}
	for src, want := range map[string]bool{`profile != nil && (extra ?? true)`: true, `ok && age > 40`: true, `!ok || false`: false} {
		if got, err := mustCompile(t, env, src).Eval(fuzzScope("Dasha")); err != nil || got != want {
			t.Errorf("%s = %v, %v; want %v", src, got, err, want)
		}
	}
}
