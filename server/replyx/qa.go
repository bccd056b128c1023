package replyx

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/knowledge"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// ReplyX's Q&A knowledge: questions with exact answers in an assistant's
// knowledge base. A user's question close enough to an entry's is answered
// with its answer without calling the model (knowledge.MatchQA,
// PARLEY_QA_THRESHOLD); GET searches them by meaning and by keyword.

const qaBody = `{"assistant_id": 1, "question": "Как настроить бота?", "answer": "Для настройки бота перейдите в раздел...", "tags": ["настройка", "бот"]}`

// qaSearchMin is the least score GET ?q= shows.
const qaSearchMin = 0.3

// qaJSON is a Q&A entry; Score is its match of GET's q.
type qaJSON struct {
	ID          int64     `json:"id"`
	AssistantID int64     `json:"assistant_id"`
	Question    string    `json:"question"`
	Answer      string    `json:"answer"`
	Tags        []string  `json:"tags"`
	Score       *float64  `json:"score,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
}

func qaOf(q *store.QA, assistant int64) qaJSON {
	return qaJSON{ID: q.ID, AssistantID: assistant, Question: q.Question, Answer: q.Answer, Tags: q.Tags, CreatedAt: q.CreatedAt.UTC()}
}

// createQA is POST /api/qa-knowledge.
func (h *handlers) createQA(c *gin.Context) {
	var body struct {
		AssistantID *int64   `json:"assistant_id"`
		Question    string   `json:"question"`
		Answer      string   `json:"answer"`
		Tags        []string `json:"tags"`
	}
	if err := server.BindJSON(c, &body, server.Body{Example: qaBody}); err != nil {
		fail(c, err)
		return
	}
	if body.AssistantID == nil {
		fail(c, store.FieldErrorf(store.EINVALID, "assistant_id", "Name the assistant the entry is for, e.g. %s.", qaBody))
		return
	}
	c.AddParam("id", strconv.FormatInt(*body.AssistantID, 10))
	b, ok := h.assistant(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	vs, err := h.knowledgeBase(ctx, b)
	if err != nil {
		fail(c, err)
		return
	}
	q := &store.QA{ProjectID: b.ProjectID, StoreID: vs.ID, Question: body.Question, Answer: body.Answer, Tags: body.Tags}
	if err := h.Store.CreateQA(ctx, q); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, qaOf(q, b.ID))
}

// listQA is GET /api/qa-knowledge: the assistants' entries (assistant_id:
// one's), oldest first; with q, those matching it best first.
func (h *handlers) listQA(c *gin.Context) {
	ctx, project := c.Request.Context(), server.CallerOf(c).ProjectID
	only, err := intParam(c, "assistant_id", 0, 1, 1<<62)
	if err != nil {
		fail(c, err)
		return
	}
	stores, err := h.assistantStores(ctx, project)
	if err != nil {
		fail(c, err)
		return
	}
	assistants := map[int64]int64{} // by store id
	var ids []int64
	for botID, vs := range stores {
		if only == 0 || botID == int64(only) {
			assistants[vs.ID] = botID
			ids = append(ids, vs.ID)
		}
	}
	entries, err := h.Store.QAs(ctx, project, ids)
	if err != nil {
		fail(c, err)
		return
	}
	out := []qaJSON{}
	if q := c.Query("q"); q != "" {
		for _, s := range knowledge.RankQA(ctx, q, entries, qaSearchMin) {
			entry := qaOf(&s.QA, assistants[s.StoreID])
			entry.Score = &s.Score
			out = append(out, entry)
		}
	} else {
		for i := range entries {
			out = append(out, qaOf(&entries[i], assistants[entries[i].StoreID]))
		}
	}
	c.JSON(http.StatusOK, out)
}
