package flows

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/vm/runtime"
)

// Expressions run in the worker that serves every project, so what one can
// build is bounded. expr's own memory budget counts the elements of ranges,
// lists and maps, not the bytes of the strings +, repeat, replace, join,
// toJSON or string build, nor lists that share their parts ([a, a] nested
// 40 deep is small, but flatten or toJSON of it is 2^40 items): without
// these bounds reduce(1..40, #acc + #acc, "x") ran the process out of
// memory, taking every dialog of every project with it.
//
// Three bounds hold instead:
//   - a value an expression gives or builds is at most MaxValueBytes and
//     nested at most MaxValueDepth deep;
//   - what one evaluation builds in all is at most maxBuiltBytes;
//   - the built-ins that could build more than that before returning
//     (repeat, replace, join, toJSON, string, concat, flatten) check the
//     size of what they would build first.
const (
	// MaxValueBytes bounds a value as measure counts it: the bytes of its
	// text plus 8 for each item, key and scalar. It matches the largest
	// JSON body the API takes.
	MaxValueBytes = 1 << 20
	// MaxValueDepth bounds how deeply lists and objects nest, as the API
	// bounds JSON bodies.
	MaxValueDepth = 64
	maxBuiltBytes = 16 << 20
)

var (
	errTooLarge     = fmt.Errorf("builds a value over %s; text and lists an expression makes are limited to that", humanBytes(MaxValueBytes))
	errTooDeep      = fmt.Errorf("builds lists or objects nested deeper than %d", MaxValueDepth)
	errBuiltTooMuch = fmt.Errorf("builds more than %s in all; bots work with smaller text and lists", humanBytes(maxBuiltBytes))
)

func humanBytes(n int) string { return fmt.Sprintf("%d MiB", n>>20) }

// CheckValue reports whether v is within MaxValueBytes and MaxValueDepth.
func CheckValue(v any) error {
	_, err := measure(v, MaxValueBytes)
	return err
}

// measure returns the size of v: the bytes of its strings and keys plus 8
// for each item, key and scalar. It stops counting once the size passes
// limit (errTooLarge), so measuring a list that shares its parts costs at
// most limit steps, however large the list would be written out.
func measure(v any, limit int) (int, error) {
	m := measurer{limit: limit}
	if err := m.add(v, 0); err != nil {
		return m.size, err
	}
	return m.size, nil
}

type measurer struct{ size, limit int }

func (m *measurer) grow(n int) error {
	m.size += n
	if m.size > m.limit {
		return errTooLarge
	}
	return nil
}

func (m *measurer) add(v any, depth int) error {
	switch v := v.(type) {
	case nil, bool, int, int64, float64, time.Time, time.Duration:
		return m.grow(8)
	case string:
		return m.grow(8 + len(v))
	case []any:
		if depth >= MaxValueDepth {
			return errTooDeep
		}
		if err := m.grow(8); err != nil {
			return err
		}
		for _, item := range v {
			if err := m.add(item, depth+1); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		if depth >= MaxValueDepth {
			return errTooDeep
		}
		if err := m.grow(8); err != nil {
			return err
		}
		for k, item := range v {
			if err := m.grow(8 + len(k)); err != nil {
				return err
			}
			if err := m.add(item, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return m.addReflected(reflect.ValueOf(v), depth)
}

// addReflected measures the typed lists and maps expr's built-ins give
// ([]string from split, []int from a range).
func (m *measurer) addReflected(rv reflect.Value, depth int) error {
	switch rv.Kind() {
	case reflect.String:
		return m.grow(8 + rv.Len())
	case reflect.Slice, reflect.Array, reflect.Map:
		if depth >= MaxValueDepth {
			return errTooDeep
		}
		if err := m.grow(8); err != nil {
			return err
		}
		if rv.Kind() == reflect.Map {
			for it := rv.MapRange(); it.Next(); {
				if err := m.add(it.Key().Interface(), depth+1); err != nil {
					return err
				}
				if err := m.add(it.Value().Interface(), depth+1); err != nil {
					return err
				}
			}
			return nil
		}
		if k := rv.Type().Elem().Kind(); k != reflect.Interface && k != reflect.String && k != reflect.Slice && k != reflect.Map {
			return m.grow(8 * rv.Len()) // numbers and other scalars
		}
		for i := 0; i < rv.Len(); i++ {
			if err := m.add(rv.Index(i).Interface(), depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return m.grow(8)
}

// HoldsFunction reports whether v is or contains a function value (now,
// not now()), which a dialog's variables, stored as JSON, cannot keep.
func HoldsFunction(v any) bool {
	switch v := v.(type) {
	case nil, bool, int, float64, string, time.Time:
		return false
	case []any:
		for _, item := range v {
			if HoldsFunction(item) {
				return true
			}
		}
		return false
	case map[string]any:
		for _, item := range v {
			if HoldsFunction(item) {
				return true
			}
		}
		return false
	}
	return reflect.TypeOf(v).Kind() == reflect.Func
}

// budget is what one evaluation may still build. Eval puts a fresh one in
// the environment under budgetName, where the bound calls find it.
type budget struct{ left int }

// budgetName is not a name a bot can declare (variables are lower-case
// identifiers), and bound calls are the only ones that take it.
const (
	budgetName = "$budget"
	boundName  = "$bound"
)

// bound checks a value an expression just built and charges it to the
// evaluation's budget. Its arguments are (value, budget): the value comes
// first so that a ?. chain that stops inside it skips the whole call.
func bound(args ...any) (any, error) {
	v, b := args[0], args[1].(*budget)
	size, err := measure(v, min(MaxValueBytes, b.left))
	if errors.Is(err, errTooLarge) && size <= MaxValueBytes {
		err = errBuiltTooMuch
	}
	if err != nil {
		return nil, err
	}
	b.left -= size
	return v, nil
}

// boundFunctions are the bound call and the checked built-ins. A program
// compiled with them, once it type-checks, is compiled again with
// boundPatch, which wraps every node that may build text or a list in a
// bound call: the patch needs the types of a tree that checked (patched
// after a failed check, expr's compiler can panic).
func boundFunctions() []expr.Option {
	opts := []expr.Option{func(c *conf.Config) {
		c.Functions[boundName] = &builtin.Function{
			Name: boundName,
			Func: bound,
			Validate: func(args []reflect.Type) (reflect.Type, error) {
				return args[0], nil // the value's own type
			},
		}
	}}
	for name, check := range preChecks {
		opts = append(opts, checkedBuiltin(name, check))
	}
	return opts
}

// checkedBuiltin replaces expr's built-in name with one that first checks
// its arguments with check, then does what the built-in does: same types,
// same results.
func checkedBuiltin(name string, check func(args []any) error) expr.Option {
	orig := builtin.Builtins[builtin.Index[name]]
	call := orig.Func
	switch {
	case orig.Safe != nil:
		call = func(args ...any) (any, error) {
			out, _, err := orig.Safe(args...)
			return out, err
		}
	case orig.Fast != nil:
		call = func(args ...any) (any, error) { return orig.Fast(args[0]), nil }
	}
	return func(c *conf.Config) {
		c.Functions[name] = &builtin.Function{
			Name: name,
			Func: func(args ...any) (any, error) {
				if err := check(args); err != nil {
					return nil, err
				}
				return call(args...)
			},
			Types:    orig.Types,
			Validate: orig.Validate,
		}
	}
}

// preChecks are the built-ins that can build far more than their
// arguments hold before returning, with what each checks first.
var preChecks = map[string]func(args []any) error{
	"repeat": func(args []any) error {
		s, n := args[0].(string), runtime.ToInt(args[1])
		if n > 0 && len(s) > MaxValueBytes/n {
			return errTooLarge
		}
		return nil
	},
	"replace": func(args []any) error {
		s, old, repl := args[0].(string), args[1].(string), args[2].(string)
		n := strings.Count(s, old)
		if old == "" {
			n = utf8.RuneCountInString(s) + 1
		}
		if len(args) == 4 {
			if limit := runtime.ToInt(args[3]); limit >= 0 && limit < n {
				n = limit
			}
		}
		if grow := len(repl) - len(old); grow > 0 && n > 0 && len(s)+n*grow > MaxValueBytes {
			return errTooLarge
		}
		return nil
	},
	"join":    measureArgs,
	"toJSON":  measureArgs,
	"string":  measureArgs,
	"concat":  measureArgs,
	"flatten": measureArgs,
}

// measureArgs checks that the arguments together fit MaxValueBytes: joined,
// written out or flattened, they make a value about that size. Indentation
// is bounded by MaxValueDepth; the bound call checks the result.
func measureArgs(args []any) error {
	_, err := measure(args, MaxValueBytes)
	return err
}

// boundPatch wraps every node that may build text or a list (+ on text or
// on values typed at run time, and calls but those that only select or
// loop) in a bound call.
type boundPatch struct{}

// unbounded are the built-ins whose result needs no bound: they select
// from what they are given, or loop over it (their bodies are bounded), or
// build no text or list.
var unbounded = map[string]bool{
	"all": true, "none": true, "any": true, "one": true, "filter": true, "map": true,
	"find": true, "findIndex": true, "findLast": true, "findLastIndex": true, "count": true,
	"sum": true, "groupBy": true, "sortBy": true, "reduce": true, "first": true, "last": true,
	"get": true, "take": true, "reverse": true, "sort": true, "uniq": true, "max": true,
	"min": true, "mean": true, "median": true, "keys": true, "values": true, "len": true, "type": true,
}

func (boundPatch) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.BinaryNode:
		if n.Operator != "+" || !mayBuild(n.Type()) {
			return
		}
	case *ast.BuiltinNode:
		if unbounded[n.Name] || !mayBuild(n.Type()) {
			return
		}
	case *ast.CallNode:
		if id, ok := n.Callee.(*ast.IdentifierNode); ok && id.Value == boundName || !mayBuild(n.Type()) {
			return
		}
	default:
		return
	}
	inner := *node
	ast.Patch(node, &ast.CallNode{
		Callee:    &ast.IdentifierNode{Value: boundName},
		Arguments: []ast.Node{inner, &ast.IdentifierNode{Value: budgetName}},
	})
}

// mayBuild reports whether a value of static type t may be text, a list or
// a map (t is nil or an interface when known only at run time).
func mayBuild(t reflect.Type) bool {
	if t == nil {
		return true
	}
	switch t.Kind() {
	case reflect.String, reflect.Slice, reflect.Array, reflect.Map, reflect.Interface:
		return true
	}
	return false
}
