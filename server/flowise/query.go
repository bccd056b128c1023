package flowise

import (
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"github.com/parleyhq/parley/store"
)

// Flowise's names of chat types and ratings.
const (
	chatInternal = "INTERNAL" // the editor's test chats
	chatExternal = "EXTERNAL"
	thumbsUp     = "THUMBS_UP"
	thumbsDown   = "THUMBS_DOWN"
)

// ratingOf maps Flowise's ratings to Parley's, and back.
var (
	ratingOf  = map[string]string{thumbsUp: store.RatingUp, thumbsDown: store.RatingDown}
	flowiseOf = map[string]string{store.RatingUp: thumbsUp, store.RatingDown: thumbsDown}
)

// messageQuery is what a chat message request selects.
type messageQuery struct {
	filter    store.ChatMessageFilter
	messageID string
	// none: a filter no Parley message can match (a memoryType, which
	// Parley never sets, as Flowise's agentflows never do).
	none bool
	// feedback keeps only rated bot messages whose rating is in ratings
	// (any when empty), each with the user's message before it.
	feedback   bool
	ratings    map[string]bool
	hardDelete bool
}

// parseMessageQuery reads a chat message request's parameters. GET takes
// feedbackType only with feedback=true, as the document says; DELETE takes
// it alone, as Flowise does. EINVALID for a value out of the document's.
func parseMessageQuery(q url.Values, deleting bool) (messageQuery, error) {
	var m messageQuery
	var err error
	if m.filter.Test, err = parseChatType(q); err != nil {
		return m, err
	}
	if m.filter.Desc, err = parseOrder(q.Get("order")); err != nil {
		return m, err
	}
	if m.filter.From, m.filter.To, err = parseRange(q); err != nil {
		return m, err
	}
	m.filter.Chat, m.none = chatOf(q.Get("chatId"), q.Get("sessionId"))
	m.none = m.none || q.Get("memoryType") != ""
	m.messageID = q.Get("messageId")
	if m.feedback, err = parseBool(q, "feedback"); err != nil {
		return m, err
	}
	if m.ratings, err = parseRatings(q["feedbackType"]); err != nil {
		return m, err
	}
	if deleting {
		m.feedback = len(m.ratings) > 0
		m.hardDelete, err = parseBool(q, "hardDelete")
	}
	return m, err
}

// chatOf is the chat a chatId and a sessionId select: a Parley dialog is
// its own memory session, so its sessionId is its chatId. none when they
// name two chats.
func chatOf(chatID, sessionID string) (chat string, none bool) {
	switch {
	case sessionID == "":
		return chatID, false
	case chatID == "" || chatID == sessionID:
		return sessionID, false
	}
	return "", true
}

// listOf reads a parameter Flowise's UI sends as a JSON array
// (["THUMBS_UP","THUMBS_DOWN"]) and clients as one value, a comma list or
// the parameter repeated.
func listOf(values []string) []string {
	var out []string
	for _, v := range values {
		var arr []string
		if err := json.Unmarshal([]byte(v), &arr); err == nil {
			out = append(out, arr...)
			continue
		}
		for p := range strings.SplitSeq(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// parseChatType is the Test filter of chatType: nil for both types or
// none.
func parseChatType(q url.Values) (*bool, error) {
	internal, external := false, false
	for _, t := range listOf(q["chatType"]) {
		switch strings.ToUpper(t) {
		case chatInternal:
			internal = true
		case chatExternal:
			external = true
		default:
			return nil, store.FieldErrorf(store.EINVALID, "chatType", "chatType is INTERNAL or EXTERNAL, not %q.", t)
		}
	}
	if internal == external {
		return nil, nil
	}
	return &internal, nil
}

func parseRatings(values []string) (map[string]bool, error) {
	out := map[string]bool{}
	for _, t := range listOf(values) {
		r, ok := ratingOf[strings.ToUpper(t)]
		if !ok {
			return nil, store.FieldErrorf(store.EINVALID, "feedbackType", "feedbackType is THUMBS_UP or THUMBS_DOWN, not %q.", t)
		}
		out[r] = true
	}
	return out, nil
}

func parseOrder(order string) (bool, error) {
	switch strings.ToUpper(order) {
	case "", "ASC":
		return false, nil
	case "DESC":
		return true, nil
	}
	return false, store.FieldErrorf(store.EINVALID, "order", "order is ASC or DESC, not %q.", order)
}

func parseBool(q url.Values, name string) (bool, error) {
	switch v := q.Get(name); v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	default:
		return false, store.FieldErrorf(store.EINVALID, name, "%s is true or false, not %q.", name, v)
	}
}

// parseRange reads startDate and endDate, inclusive. A date without a
// time is its whole day: from its start, to its end.
func parseRange(q url.Values) (from, to *time.Time, err error) {
	if from, err = parseDate(q.Get("startDate"), "startDate", false); err != nil {
		return nil, nil, err
	}
	if to, err = parseDate(q.Get("endDate"), "endDate", true); err != nil {
		return nil, nil, err
	}
	return from, to, nil
}

// dateLayouts are the forms of a date-time the parameters take: ISO 8601
// with a zone (JavaScript's toISOString), without one (UTC), and a date.
var dateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"}

func parseDate(v, name string, endOfDay bool) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			if layout == "2006-01-02" && endOfDay {
				t = t.Add(24*time.Hour - time.Microsecond)
			}
			return &t, nil
		}
	}
	return nil, store.FieldErrorf(store.EINVALID, name, "%s is a date-time such as 2024-08-24T14:15:22Z or a date such as 2024-08-24, not %q.", name, v)
}
