package sqldb

import (
	"testing"
	"time"
)

func TestTimeScanner(t *testing.T) {
	want := time.Date(2025, 3, 4, 5, 6, 7, 123_456_000, time.UTC)
	for _, c := range []struct {
		name string
		v    any
	}{
		{"time in another zone", want.In(time.FixedZone("UTC+3", 3*60*60))},
		{"text", "2025-03-04T05:06:07.123456Z"},
		{"bytes", []byte("2025-03-04T05:06:07.123456Z")},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got time.Time
			if err := (timeScanner{&got}).Scan(c.v); err != nil {
				t.Fatal(err)
			}
			if !got.Equal(want) || got.Location() != time.UTC {
				t.Errorf("got %v, want %v in UTC", got, want)
			}
		})
	}
	t.Run("not a time", func(t *testing.T) {
		var got time.Time
		if err := (timeScanner{&got}).Scan(int64(1)); err == nil {
			t.Error("scanned an integer as a time")
		}
	})
	t.Run("NULL", func(t *testing.T) {
		got := &want
		if err := (nullTimeScanner{&got}).Scan(nil); err != nil || got != nil {
			t.Errorf("got %v, %v; want nil, nil", got, err)
		}
	})
}
