package flows

import "testing"

func TestDidYouMean(t *testing.T) {
	fields := []string{"text", "next", "timeout", "on_timeout", "retries"}
	tests := []struct {
		name, want string
	}{
		{"timout", ` (did you mean "timeout"?)`},
		{"txt", ` (did you mean "text"?)`},
		{"Retries", ` (did you mean "retries"?)`},
		{"ontimeout", ` (did you mean "on_timeout"?)`},
		{"colour", ""},
		{"x", ""},
	}
	for _, tt := range tests {
		if got := DidYouMean(tt.name, fields); got != tt.want {
			t.Errorf("DidYouMean(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}
