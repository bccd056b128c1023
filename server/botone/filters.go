package botone

import (
	"net/url"
	"strconv"
	"time"

	"github.com/parleyhq/parley/server"
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

// timeParam parses an ISO 8601 bound (see server.TimeBound).
func timeParam(q url.Values, name string, until bool) (*time.Time, error) {
	return server.TimeBound(name, q.Get(name), until)
}
