package server

import (
	"time"

	"github.com/parleyhq/parley/store"
)

// isoLayouts are the ISO 8601 forms a time bound takes: date-times with or
// without seconds, fractions and a zone (no zone means UTC).
var isoLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02T15:04",
}

// TimeBound parses the bound of a time range named name: an ISO 8601 date
// or date-time, nil when s is empty. A bare date as an upper bound (until)
// means the end of that day, so a range "to 2023-05-29" includes the 29th.
// EINVALID, naming the parameter and an example, for anything else.
func TimeBound(name, s string, until bool) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		if until {
			d = d.Add(24*time.Hour - time.Millisecond)
		}
		return &d, nil
	}
	for _, layout := range isoLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			return &t, nil
		}
	}
	return nil, store.FieldErrorf(store.EINVALID, name,
		"%s must be an ISO 8601 date or date-time, like 2023-05-01 or 2023-05-01T10:00:00+03:00; got %q.", name, s)
}
