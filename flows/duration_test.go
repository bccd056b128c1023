package flows

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"30s", 30 * time.Second, true},
		{"10m", 10 * time.Minute, true},
		{"1h30m", 90 * time.Minute, true},
		{"3d", 72 * time.Hour, true},
		{"2w", 14 * 24 * time.Hour, true},
		{"500ms", 500 * time.Millisecond, true},
		{"1.5h", 90 * time.Minute, true},
		{"", 0, false},
		{"10", 0, false},
		{"m", 0, false},
		{"10 m", 0, false},
		{"10y", 0, false},
		{"-5m", 0, false},
		{"0s", 0, false},
		{"1000000w", 0, false},
		{"99999999999999999999d", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}
