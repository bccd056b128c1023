package nodes

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley/flows"
)

// TestSpecsAreDocumented checks that every field of every kind and of the
// settings has a one-line description and an example or a default, which
// the schema and the editor show.
func TestSpecsAreDocumented(t *testing.T) {
	var check func(where string, f *flows.Field)
	check = func(where string, f *flows.Field) {
		where += "." + f.Name
		if f.Doc == "" || strings.Contains(f.Doc, "\n") {
			t.Errorf("%s: needs a one-line description", where)
		}
		if f.Example == nil && f.Default == nil && f.Type != flows.TypeObject && f.Type != flows.TypeList && f.Type != flows.TypeMap {
			t.Errorf("%s: needs an example or a default", where)
		}
		for _, sub := range f.Fields {
			check(where, sub)
		}
	}
	for _, k := range Language().Kinds {
		spec := k.Spec()
		if spec.Summary == "" {
			t.Errorf("%s: needs a summary", spec.Name)
		}
		for _, f := range spec.Fields {
			check(spec.Name, f)
		}
	}
	check("bot", Language().Settings)
}
