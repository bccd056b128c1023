package native

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/store"
)

type dataJSON struct {
	Question string `json:"question"`
	Type     string `json:"type"`
	Answer   string `json:"answer"`
	Variable string `json:"variable"`
}

type dialogJSON struct {
	ID      string      `json:"id"`
	Number  int64       `json:"number"`
	Bot     string      `json:"bot"`
	Version int         `json:"version"`
	Status  string      `json:"status"`
	Mode    string      `json:"mode"`
	Handoff handoffJSON `json:"handoff"`
	Node    string      `json:"node"`
	Title   string      `json:"title"`
	// WorkingMemory is the model's Markdown block of facts about the
	// dialog (settings.ai.memory.workingMemory).
	WorkingMemory string         `json:"working_memory"`
	User          map[string]any `json:"user"` // the person's profile; {} when none was given
	Variables     map[string]any `json:"variables"`
	Data          []dataJSON     `json:"data"`
	Messages      []messageJSON  `json:"messages"`
	// Notes are operators' internal notes, never shown to the user.
	Notes     []noteJSON      `json:"notes"`
	Scheduled []scheduledJSON `json:"scheduled"` // operators' messages waiting for their time
}

// dialog returns a dialog's state, collected data and transcript.
func (h *handlers) dialog(c *gin.Context) {
	d, ok := h.lookup(c)
	if !ok {
		return
	}
	bot, err := h.Store.BotByID(c.Request.Context(), d.ProjectID, d.BotID)
	if err != nil {
		fail(c, err)
		return
	}
	msgs, err := h.Store.Messages(c.Request.Context(), d.ID)
	if err != nil {
		fail(c, err)
		return
	}
	items, err := h.Store.Data(c.Request.Context(), d.ID)
	if err != nil {
		fail(c, err)
		return
	}
	notes, err := h.Store.Notes(c.Request.Context(), d.ID)
	if err != nil {
		fail(c, err)
		return
	}
	vars := d.Variables
	if vars == nil {
		vars = map[string]any{}
	}
	noteList := make([]noteJSON, 0, len(notes))
	for _, n := range notes {
		noteList = append(noteList, noteOf(n))
	}
	c.JSON(http.StatusOK, dialogJSON{ID: d.UUID, Number: d.Number, Bot: bot.Slug, Version: d.Version, Status: d.Status,
		Mode: d.Mode, Handoff: handoffOf(d.Handoff), Node: d.Node, Title: d.Title, WorkingMemory: d.WorkingMemory, User: profileOf(d.User), Variables: vars, Data: dataOf(items), Messages: messagesJSON(msgs),
		Notes: noteList, Scheduled: scheduledOf(d.Scheduled)})
}

func dataOf(items []store.DataItem) []dataJSON {
	out := make([]dataJSON, 0, len(items))
	for _, it := range items {
		if !it.Deleted {
			out = append(out, dataJSON{Question: it.Question, Type: it.Type, Answer: it.Answer, Variable: it.Variable})
		}
	}
	return out
}

// profileOf is a dialog's user profile for JSON: {} rather than null.
func profileOf(p map[string]any) map[string]any {
	if p == nil {
		return map[string]any{}
	}
	return p
}
