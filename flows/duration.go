package flows

import (
	"errors"
	"strconv"
	"time"
)

var durationUnits = map[string]time.Duration{
	"ms": time.Millisecond, "s": time.Second, "m": time.Minute, "h": time.Hour,
	"d": 24 * time.Hour, "w": 7 * 24 * time.Hour,
}

var errDurationSyntax = errors.New("use a number and a unit (ms, s, m, h, d, w), like 30s, 10m, 2h, 3d or 1h30m")

// ParseDuration parses durations like 30s, 10m, 1h30m, 3d or 2w. Days and
// weeks are 24 hours and 7 days.
func ParseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, errDurationSyntax
	}
	var total time.Duration
	for s != "" {
		i := 0
		for i < len(s) && (s[i] == '.' || (s[i] >= '0' && s[i] <= '9')) {
			i++
		}
		j := i
		for j < len(s) && s[j] >= 'a' && s[j] <= 'z' {
			j++
		}
		num, err := strconv.ParseFloat(s[:i], 64)
		unit, ok := durationUnits[s[i:j]]
		if i == 0 || err != nil || !ok {
			return 0, errDurationSyntax
		}
		part := num * float64(unit)
		if part > float64(100*365*24*time.Hour) || total > time.Duration(100*365*24*time.Hour) {
			return 0, errors.New("durations longer than 100 years are not supported")
		}
		total += time.Duration(part)
		s = s[j:]
	}
	if total <= 0 {
		return 0, errors.New("the duration must be greater than zero")
	}
	return total, nil
}
