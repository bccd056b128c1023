package webhooks

import (
	"testing"
	"time"
)

func TestNextDelay(t *testing.T) {
	for _, tc := range []struct {
		attempt int
		want    time.Duration
		ok      bool
	}{
		{0, 0, true},
		{1, 5 * time.Second, true},
		{2, 5 * time.Minute, true},
		{3, 30 * time.Minute, true},
		{4, 2 * time.Hour, true},
		{5, 5 * time.Hour, true},
		{6, 10 * time.Hour, true},
		{7, 10 * time.Hour, true},
		{8, 0, false},
		{9, 0, false},
	} {
		got, ok := NextDelay(tc.attempt)
		if got != tc.want || ok != tc.ok {
			t.Errorf("NextDelay(%d) = %v, %v; want %v, %v", tc.attempt, got, ok, tc.want, tc.ok)
		}
	}
	if MaxAttempts != 8 {
		t.Errorf("MaxAttempts = %d, want 8", MaxAttempts)
	}
}
