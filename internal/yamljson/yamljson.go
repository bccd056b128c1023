// Package yamljson turns what gopkg.in/yaml.v3 decodes into values
// encoding/json can write.
package yamljson

import (
	"fmt"
	"math"
)

// Plain returns v with every mapping keyed by strings (a key that is not a
// string is written as text) and .inf and .nan as the text they print as;
// maps and lists are changed in place.
func Plain(v any) any {
	switch t := v.(type) {
	case float64:
		if math.IsInf(t, 0) || math.IsNaN(t) {
			return fmt.Sprint(t)
		}
	case map[string]any:
		for k, e := range t {
			t[k] = Plain(e)
		}
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[fmt.Sprint(k)] = Plain(e)
		}
		return m
	case []any:
		for i, e := range t {
			t[i] = Plain(e)
		}
	}
	return v
}
