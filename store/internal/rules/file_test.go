package rules

import "testing"

func TestMIMEType(t *testing.T) {
	for s, want := range map[string]bool{
		"image/png":                 true,
		"text/plain; charset=utf-8": true,
		"application/vnd.ms-excel":  true,
		"":                          false,
		"text":                      false,
		"text/":                     false,
		"/plain":                    false,
		"text plain":                false,
		"image/png; charset":        false,
		"image/png\x00":             false,
		"тип/подтип":                false,
	} {
		if got := MIMEType(s); got != want {
			t.Errorf("MIMEType(%q) = %v, want %v", s, got, want)
		}
	}
}
