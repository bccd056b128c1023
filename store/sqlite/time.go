package sqlite

import (
	"fmt"
	"time"

	"github.com/parleyhq/parley/store/internal/rules"
)

// timeFormat is fixed width, so stored times sort as text.
const timeFormat = "2006-01-02T15:04:05.000000Z"

// ts is the stored form of t.
func ts(t time.Time) string { return rules.Time(t).Format(timeFormat) }

// tsPtr is the stored form of an optional time: NULL when nil.
func tsPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ts(*t)
}

// timeScanner scans a stored time into *t.
type timeScanner struct{ t *time.Time }

func (s timeScanner) Scan(v any) error {
	str, ok := v.(string)
	if !ok {
		return fmt.Errorf("scanning time: got %T, want TEXT", v)
	}
	t, err := time.Parse(timeFormat, str)
	if err != nil {
		return fmt.Errorf("scanning time: %w", err)
	}
	*s.t = t.UTC()
	return nil
}

// nullTimeScanner scans a stored optional time into *t, nil for NULL.
type nullTimeScanner struct{ t **time.Time }

func (s nullTimeScanner) Scan(v any) error {
	if v == nil {
		*s.t = nil
		return nil
	}
	var t time.Time
	if err := (timeScanner{&t}).Scan(v); err != nil {
		return err
	}
	*s.t = &t
	return nil
}
