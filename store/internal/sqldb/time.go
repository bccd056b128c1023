package sqldb

import (
	"fmt"
	"time"
)

// timeScanner scans a stored time into *t, in UTC: a time.Time as the
// driver returns it (PostgreSQL's timestamptz) or text in the TextTime
// layout (SQLite's, kept so that existing databases read as they were).
type timeScanner struct{ t *time.Time }

func (s timeScanner) Scan(v any) error {
	switch v := v.(type) {
	case time.Time:
		*s.t = v.UTC()
		return nil
	case string:
		return s.parse(v)
	case []byte:
		return s.parse(string(v))
	}
	return fmt.Errorf("scanning time: got %T, want a time or TEXT", v)
}

func (s timeScanner) parse(text string) error {
	t, err := time.Parse(TextTime, text)
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
