package botone

import (
	"net/url"
	"strconv"
	"time"

	"github.com/parleyhq/parley/store"
)

const defaultPageCount = 40

// listQuery is the conversations list's query, parsed.
type listQuery struct {
	filter store.DialogFilter
	page   int
}

// parseListQuery reads BotID, PageNumber, PageCount and the four ISO 8601
// bounds; anything malformed is EINVALID with a message naming it.
func parseListQuery(q url.Values) (listQuery, error) {
	lq := listQuery{page: 1, filter: store.DialogFilter{Limit: defaultPageCount}}
	var err error
	if lq.filter.BotID, err = intParam(q, "BotID", 0, 1); err != nil {
		return lq, err
	}
	page, err := intParam(q, "PageNumber", 1, 1)
	if err != nil {
		return lq, err
	}
	count, err := intParam(q, "PageCount", defaultPageCount, 1)
	if err != nil {
		return lq, err
	}
	if count > 1000 {
		return lq, store.Errorf(store.EINVALID, "PageCount must be at most 1000.")
	}
	lq.page, lq.filter.Limit, lq.filter.Offset = int(page), int(count), int((page-1)*count)
	bounds := []struct {
		name  string
		dst   **time.Time
		until bool
	}{
		{"CreatedFrom", &lq.filter.CreatedFrom, false}, {"CreatedTo", &lq.filter.CreatedTo, true},
		{"UpdatedFrom", &lq.filter.LastUserFrom, false}, {"UpdatedTo", &lq.filter.LastUserTo, true},
	}
	for _, b := range bounds {
		if *b.dst, err = timeParam(q, b.name, b.until); err != nil {
			return lq, err
		}
	}
	return lq, nil
}

func intParam(q url.Values, name string, def, least int64) (int64, error) {
	s := q.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < least {
		return 0, store.Errorf(store.EINVALID, "%s must be a whole number of at least %d, got %q.", name, least, s)
	}
	return n, nil
}

// isoLayouts are the ISO 8601 forms accepted: dates, and date-times with
// or without seconds, fractions and a zone (no zone means UTC).
var isoLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02T15:04",
}

// timeParam parses an ISO 8601 bound. A bare date as an upper bound means
// the end of that day, so CreatedTo=2023-05-29 includes the 29th.
func timeParam(q url.Values, name string, until bool) (*time.Time, error) {
	s := q.Get(name)
	if s == "" {
		return nil, nil
	}
	if d, err := time.Parse("2006-01-02", s); err == nil {
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
	return nil, store.Errorf(store.EINVALID, "%s must be an ISO 8601 date or date-time, like 2023-05-01 or 2023-05-01T10:00:00+03:00; got %q.", name, s)
}
