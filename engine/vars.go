package engine

import (
	"maps"
	"math"

	"github.com/parleyhq/parley/flows"
)

// initVariables returns the dialog's variables: the given values, coerced
// to their declared types, plus the defaults of undeclared ones. Values of
// variables the flow does not declare are kept (a goto bot keeps them).
func initVariables(f *flows.Flow, given map[string]any) map[string]any {
	vars := make(map[string]any, len(f.Variables)+len(given))
	maps.Copy(vars, given)
	for _, v := range f.Variables {
		if cur, ok := vars[v.Name]; ok && cur != nil {
			vars[v.Name] = coerce(v.Type, cur)
			continue
		}
		vars[v.Name] = coerce(v.Type, v.Default)
	}
	return vars
}

// coerce converts a value to a variable's type where JSON lost it: numbers
// come back from Temporal's payloads and HTTP bodies as float64, but
// expressions were compiled for int; unset values get the type's zero.
func coerce(t flows.VarType, v any) any {
	switch t {
	case flows.VarInteger:
		switch n := v.(type) {
		case float64:
			if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
				return int(n)
			}
		case int64:
			return int(n)
		case nil:
			return 0
		}
	case flows.VarNumber:
		switch n := v.(type) {
		case int:
			return float64(n)
		case int64:
			return float64(n)
		case nil:
			return 0.0
		}
	case flows.VarString:
		if v == nil {
			return ""
		}
	case flows.VarBoolean:
		if v == nil {
			return false
		}
	}
	return v
}
