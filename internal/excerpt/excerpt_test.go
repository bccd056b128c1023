package excerpt

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestOf(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"  bad\n\tgateway  ", "bad gateway"},
		{"ok\xff\xfe!", "ok!"},
		{strings.Repeat("я", Max), strings.Repeat("я", Max)},
		{strings.Repeat("я", Max+1), strings.Repeat("я", Max) + "…"},
	} {
		if got := Of(c.in); got != c.want {
			t.Errorf("Of(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	long := Of("<html>" + strings.Repeat("<p>secret page</p>\n", 10_000))
	if n := utf8.RuneCountInString(long); n != Max+1 || strings.Contains(long, "\n") {
		t.Errorf("a 190 KB page quoted as %d runes (newline: %v)", n, strings.Contains(long, "\n"))
	}
}
