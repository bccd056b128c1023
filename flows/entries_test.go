package flows

import "testing"

func TestEntries(t *testing.T) {
	src := "bot: b\nnodes:\n  a: {kind: message, text: hi, ui: {x: 1, y: 2}}\n  b: {kind: end}\n  c: just text\n  d:\n    text: |\n      one\n      two\n\n    # trailing\n"
	got := Entries([]byte(src))
	type row struct {
		id, kind    string
		first, last int
		mapping, ui bool
	}
	want := []row{{"a", "message", 3, 3, true, true}, {"b", "end", 4, 4, true, false}, {"c", "", 5, 5, false, false}, {"d", "", 6, 9, true, false}}
	if len(got) != len(want) {
		t.Fatalf("%d entries, want %d", len(got), len(want))
	}
	for i, e := range got {
		r := row{e.ID, e.Kind, e.FirstLine, e.LastLine, e.Fields != nil, e.UI != nil}
		if r != want[i] {
			t.Errorf("entry %d = %+v, want %+v", i, r, want[i])
		}
	}
	if ui := got[0].UI; ui.X != 1 || ui.Y != 2 {
		t.Errorf("ui = %+v", ui)
	}
	for _, bad := range []string{"", "bot: [x\n", "- a\n", "bot: b\nnodes: 3\n"} {
		if e := Entries([]byte(bad)); e != nil {
			t.Errorf("Entries(%q) = %v, want nil", bad, e)
		}
	}
}
