package botone

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/parleyhq/parley/store"
)

// conversation is one item of the conversations list, in the document's
// field order. Source is only in V2.
type conversation struct {
	ID       any     `json:"id"`
	Name     string  `json:"name"`
	Status   string  `json:"status"`
	IP       string  `json:"ip"`
	Location string  `json:"location"`
	Updated  string  `json:"updated"`
	Duration int64   `json:"duration"`
	Source   *string `json:"source,omitempty"`
	Data     any     `json:"data,omitempty"`
}

// dataItem is one piece of collected data.
type dataItem struct {
	Question string  `json:"question"`
	Type     string  `json:"type"`
	Answer   string  `json:"answer"`
	Variable *string `json:"variable"`
	Deleted  bool    `json:"deleted"`
}

// isoOffset is ISO 8601 with a numeric offset, as the document shows it
// ("2023-05-11T08:25:26+00:00", never "Z").
const isoOffset = "2006-01-02T15:04:05-07:00"

// conversationOf renders a dialog the way Bot.one lists it.
func conversationOf(d *store.Dialog, v2 bool, now time.Time) conversation {
	c := conversation{ID: d.ID, Status: botoneStatus(d.Status), IP: d.IP, Location: location(d), Duration: duration(d, now)}
	if v2 {
		c.ID = d.UUID
		source := d.Source
		c.Source = &source
	}
	c.Name = fmt.Sprintf("#%d %s", d.Number, c.Location)
	if d.LastUserAt != nil {
		c.Updated = d.LastUserAt.UTC().Format(isoOffset)
	}
	return c
}

// botoneStatus maps Parley's statuses onto Bot.one's five; a dialog that
// stopped on an error is, to Bot.one clients, interrupted.
func botoneStatus(s string) string {
	if s == store.StatusError {
		return store.StatusInterrupted
	}
	return s
}

// location is the `location` variable, or "Unknown".
func location(d *store.Dialog) string {
	if l, ok := d.Variables["location"].(string); ok && l != "" {
		return l
	}
	return "Unknown"
}

// duration is how long the dialog has lasted: until its last change once
// it ended, until now while it goes on.
func duration(d *store.Dialog, now time.Time) int64 {
	end := now
	switch d.Status {
	case store.StatusCompleted, store.StatusInterrupted, store.StatusError:
		end = d.UpdatedAt
	}
	return max(0, int64(end.Sub(d.CreatedAt).Seconds()))
}

func dataOf(items []store.DataItem) []dataItem {
	out := make([]dataItem, 0, len(items))
	for _, it := range items {
		var variable *string
		if it.Variable != "" {
			v := it.Variable
			variable = &v
		}
		out = append(out, dataItem{Question: it.Question, Type: it.Type, Answer: it.Answer, Variable: variable, Deleted: it.Deleted})
	}
	return out
}

// pagination is the list's meta.pagination.
type pagination struct {
	Total       int      `json:"total"`
	Count       int      `json:"count"`
	PerPage     int      `json:"per_page"`
	CurrentPage int      `json:"current_page"`
	TotalPages  int      `json:"total_pages"`
	Links       struct{} `json:"links"`
}

// listJSON writes the document's list shape: an object whose keys "0",
// "1", ... keep the list's order (encoding/json would sort "10" before
// "2"), then "meta".
func listJSON(items []conversation, p pagination) ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, it := range items {
		data, err := json.Marshal(it)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "%q:%s,", strconv.Itoa(i), data)
	}
	meta, err := json.Marshal(map[string]any{"pagination": p})
	if err != nil {
		return nil, err
	}
	b.WriteString(`"meta":`)
	b.Write(meta)
	b.WriteByte('}')
	return b.Bytes(), nil
}

func pages(total, perPage int) int {
	return int(math.Ceil(float64(total) / float64(perPage)))
}
