package flows

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/types"
	"github.com/expr-lang/expr/vm"
)

// Names every expression sees besides the bot's variables. Variables may not
// take these names.
var reservedNames = []string{"input", "dialog", "user", "now"}

// dialogType and userType describe the `dialog` and `user` values; the engine
// passes maps with these keys at run time.
var (
	dialogType = types.Map{
		"id": types.String, "number": types.Int, "bot": types.String,
		"channel": types.String, "source": types.String, "started_at": types.TypeOf(time.Time{}),
	}
	userType = types.Map{
		"id": types.String, "name": types.String, "email": types.String, "phone": types.String,
		types.Extra: types.Any,
	}
	nowType = types.TypeOf((func() time.Time)(nil))
)

// Env is the typed expression environment of a flow: its declared variables
// plus input, dialog, user and now().
type Env struct {
	types types.Map
	names []string // every name, for suggestions
}

// NewEnv builds the environment for the given variables.
func NewEnv(vars []*Variable) *Env {
	m := types.Map{"input": types.String, "dialog": dialogType, "user": userType, "now": nowType,
		budgetName: types.TypeOf(&budget{})}
	env := &Env{types: m, names: append([]string(nil), reservedNames...)}
	for _, v := range vars {
		m[v.Name] = exprType(v.Type)
		env.names = append(env.names, v.Name)
	}
	return env
}

func exprType(t VarType) types.Type {
	switch t {
	case VarString:
		return types.String
	case VarNumber:
		return types.Float64
	case VarInteger:
		return types.Int
	case VarBoolean:
		return types.Bool
	case VarObject:
		return types.Map{types.Extra: types.Any}
	case VarList:
		return types.Array(types.Any)
	}
	return types.Any
}

// isReserved reports whether name may not be used for a variable. Names of
// expr's built-in functions are allowed: a variable hides the function.
func isReserved(name string) bool {
	for _, r := range reservedNames {
		if r == name {
			return true
		}
	}
	return false
}

// Expr is an expression compiled when the flow loaded.
type Expr struct {
	Source  string
	Pos     Pos
	program *vm.Program
}

// ResultType is the static type of the expression's result, or nil when it
// is only known at run time.
func (e *Expr) ResultType() reflect.Type {
	t := e.program.Node().Type()
	if t == nil || t.Kind() == reflect.Interface {
		return nil
	}
	return t
}

// Eval runs the expression against env (variables and the built-in names).
// It gives no value over MaxValueBytes or nested deeper than MaxValueDepth.
// For the run, env holds the evaluation's budget (see bounds.go).
func (e *Expr) Eval(env map[string]any) (any, error) {
	env[budgetName] = &budget{left: maxBuiltBytes}
	out, err := expr.Run(e.program, env)
	delete(env, budgetName)
	if err == nil {
		err = CheckValue(out)
	}
	if err == nil {
		err = e.checkBool(out)
	}
	if err != nil {
		return nil, fmt.Errorf("evaluating %q: %w", e.Source, err)
	}
	return out, nil
}

// checkBool refuses what is not a boolean from an expression typed as
// one. expr types `a && b` as a boolean but gives b itself when b's type
// is known only at run time (`ok && (n ?? true)` gives n, 0), so a
// condition or a boolean variable would get a number.
func (e *Expr) checkBool(out any) error {
	if t := e.ResultType(); t == nil || t.Kind() != reflect.Bool {
		return nil
	}
	if _, ok := out.(bool); ok {
		return nil
	}
	return fmt.Errorf("got %T %v where a boolean is due: an operand of && or || is not a boolean; compare it, like x != 0", out, out)
}

// EvalBool runs a condition.
func (e *Expr) EvalBool(env map[string]any) (bool, error) {
	out, err := e.Eval(env)
	if err != nil {
		return false, err
	}
	b, ok := out.(bool)
	if !ok {
		return false, fmt.Errorf("evaluating %q: got %T, want a boolean", e.Source, out)
	}
	return b, nil
}

// compileError is an expression error at a rune offset of the source.
type compileError struct {
	offset  int
	message string
}

// compile compiles src in env. On failure it returns the rune offset of the
// offending token and expr's message.
func (env *Env) compile(src string, asBool bool) (*vm.Program, *compileError) {
	opts := append([]expr.Option{expr.Env(env.types), expr.MaxNodes(2000)}, boundFunctions()...)
	if asBool {
		opts = append(opts, expr.AsBool())
	}
	program, err := expr.Compile(src, opts...)
	if err == nil {
		program, err = expr.Compile(src, append(opts, expr.Patch(boundPatch{}))...)
	}
	if err == nil {
		return program, nil
	}
	var fe *file.Error
	if errors.As(err, &fe) {
		return nil, &compileError{offset: fe.From, message: fe.Message}
	}
	return nil, &compileError{message: err.Error()}
}

// Template is text with {{ expr }} parts, compiled when the flow loaded.
type Template struct {
	Source string
	Parts  []TemplatePart
}

// TemplatePart is literal text or an expression.
type TemplatePart struct {
	Text string
	Expr *Expr
}

// Static reports whether the template has no expressions.
func (t *Template) Static() bool {
	for _, p := range t.Parts {
		if p.Expr != nil {
			return false
		}
	}
	return true
}

// Render evaluates the template's expressions against env.
func (t *Template) Render(env map[string]any) (string, error) {
	var b strings.Builder
	for _, p := range t.Parts {
		if p.Expr == nil {
			b.WriteString(p.Text)
			continue
		}
		v, err := p.Expr.Eval(env)
		if err != nil {
			return "", err
		}
		b.WriteString(FormatValue(v))
		if b.Len() > MaxValueBytes {
			return "", fmt.Errorf("rendering %q: %w", t.Source, errTooLarge)
		}
	}
	return b.String(), nil
}

// FormatValue renders a value as a template shows it: strings as they are,
// whole numbers without decimals, nil as nothing, structures as JSON.
func FormatValue(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case time.Time:
		return v.Format(time.RFC3339)
	case fmt.Stringer:
		return v.String()
	case map[string]any, []any:
		b, err := json.Marshal(v)
		if err == nil {
			return string(b)
		}
	}
	return fmt.Sprint(v)
}

// templateSpan is one {{ ... }} found in a template, in rune offsets.
type templateSpan struct {
	start, end int // of the whole {{ ... }}
	exprStart  int // first rune after {{
	expr       string
}

// scanTemplate splits s into {{ ... }} spans. An unclosed {{ is reported as
// a span with end -1.
func scanTemplate(s string) []templateSpan {
	var spans []templateSpan
	runes := []rune(s)
	for i := 0; i+1 < len(runes); i++ {
		if runes[i] != '{' || runes[i+1] != '{' {
			continue
		}
		end := -1
		for j := i + 2; j+1 < len(runes); j++ {
			if runes[j] == '}' && runes[j+1] == '}' {
				end = j + 2
				break
			}
		}
		if end < 0 {
			return append(spans, templateSpan{start: i, end: -1})
		}
		spans = append(spans, templateSpan{start: i, end: end, exprStart: i + 2, expr: string(runes[i+2 : end-2])})
		i = end - 1
	}
	return spans
}
