package worken

import (
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/store"
)

// Page sizes of lists, as OpenAI's.
const (
	defaultLimit = 20
	maxLimit     = 100
)

// pageQuery is OpenAI's cursor pagination: limit, order (by creation,
// newest first by default) and the after/before cursors, object ids.
type pageQuery struct {
	limit         int
	asc           bool
	after, before string
}

func parsePage(c *gin.Context) (pageQuery, error) {
	p := pageQuery{limit: defaultLimit, after: c.Query("after"), before: c.Query("before")}
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			return p, store.FieldErrorf(store.EINVALID, "limit", "limit must be a whole number from 1 to %d, got %q.", maxLimit, s)
		}
		p.limit = n
	}
	switch c.DefaultQuery("order", "desc") {
	case "desc":
	case "asc":
		p.asc = true
	default:
		return p, store.FieldErrorf(store.EINVALID, "order", "order must be asc or desc, got %q.", c.Query("order"))
	}
	return p, nil
}

// page cuts one page out of items, which come newest first, and says
// whether more follow. A cursor that is not an id in the list is a 422.
func page[T any](items []T, id func(T) string, p pageQuery) ([]T, bool, error) {
	if p.asc {
		items = slices.Clone(items)
		slices.Reverse(items)
	}
	at := func(param, cursor string) (int, error) {
		i := slices.IndexFunc(items, func(x T) bool { return id(x) == cursor })
		if i < 0 {
			return 0, store.FieldErrorf(store.EINVALID, param, "%s must be the id of an object in this list; %q is not.", param, cursor)
		}
		return i, nil
	}
	if p.after != "" {
		i, err := at("after", p.after)
		if err != nil {
			return nil, false, err
		}
		items = items[i+1:]
	}
	if p.before != "" {
		i, err := at("before", p.before)
		if err != nil {
			return nil, false, err
		}
		// The page just before the cursor: its last limit objects.
		items = items[:i]
		if len(items) > p.limit {
			return items[len(items)-p.limit:], true, nil
		}
		return items, false, nil
	}
	if len(items) > p.limit {
		return items[:p.limit], true, nil
	}
	return items, false, nil
}

// list renders a page in OpenAI's list shape.
func list[T any](data []T, id func(T) string, more bool) listJSON[T] {
	l := listJSON[T]{Object: "list", Data: data, HasMore: more}
	if l.Data == nil {
		l.Data = []T{}
	}
	if len(data) > 0 {
		first, last := id(data[0]), id(data[len(data)-1])
		l.FirstID, l.LastID = &first, &last
	}
	return l
}
