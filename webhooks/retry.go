package webhooks

import "time"

// MaxAttempts is how many times a delivery is tried before it fails for good.
const MaxAttempts = 8

// schedule[i] is the wait before attempt i+1: the Standard Webhooks schedule.
var schedule = [MaxAttempts]time.Duration{
	0,
	5 * time.Second,
	5 * time.Minute,
	30 * time.Minute,
	2 * time.Hour,
	5 * time.Hour,
	10 * time.Hour,
	10 * time.Hour,
}

// NextDelay returns how long to wait after failed attempt number attempt
// (1-based) before the next one, and false when no attempt is left.
// Before any attempt (attempt < 1) the first is due at once.
func NextDelay(attempt int) (time.Duration, bool) {
	switch {
	case attempt < 1:
		return schedule[0], true
	case attempt >= MaxAttempts:
		return 0, false
	}
	return schedule[attempt], true
}
