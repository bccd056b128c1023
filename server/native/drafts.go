package native

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/engine/convtest"
	"github.com/parleyhq/parley/flows"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// draftJSON is a bot's draft: the file being edited, the version it was
// begun from and, when saved, its problems now.
type draftJSON struct {
	Bot         string             `json:"bot"`
	Source      string             `json:"source,omitempty"` // GET only: the YAML as saved
	Checksum    string             `json:"checksum"`
	BaseVersion int                `json:"base_version"`
	Author      string             `json:"author"`
	UpdatedAt   time.Time          `json:"updated_at"`
	Problems    []graphProblemJSON `json:"problems"`
}

// draftOf renders a draft with its problems (dialogs.DraftProblems).
func draftOf(d *store.Draft, problems flows.Problems, withSource bool) draftJSON {
	out := draftJSON{Bot: d.Slug, Checksum: d.Checksum, BaseVersion: d.BaseVersion, Author: d.Author, UpdatedAt: d.UpdatedAt}
	if withSource {
		out.Source = d.Source
	}
	out.Problems = problemsJSON(flows.Entries([]byte(d.Source)), problems)
	return out
}

// ifMatch is the checksum an If-Match header names ("" without one), with
// or without the quotes of an entity tag.
func ifMatch(c *gin.Context) string {
	v := strings.TrimPrefix(strings.TrimSpace(c.GetHeader("If-Match")), "W/")
	return strings.Trim(v, `"`)
}

// answerDraft renders a draft and its problems with its checksum as the ETag.
func answerDraft(c *gin.Context, d *store.Draft, problems flows.Problems, withSource bool) {
	c.Header("ETag", strconv.Quote(d.Checksum))
	c.JSON(http.StatusOK, draftOf(d, problems, withSource))
}

// saveDraft stores the body, a bot file however broken, as the bot's draft.
func (h *handlers) saveDraft(c *gin.Context) {
	body, ok := flowBody(c)
	if !ok {
		return
	}
	caller := server.CallerOf(c)
	d, problems, err := h.Dialogs.SaveDraft(c.Request.Context(), caller.ProjectID, c.Param("slug"), string(body), caller.Name, ifMatch(c))
	if err != nil {
		fail(c, err)
		return
	}
	answerDraft(c, d, problems, false)
}

func (h *handlers) draft(c *gin.Context) {
	d, err := h.Store.Draft(c.Request.Context(), server.CallerOf(c).ProjectID, c.Param("slug"))
	if err != nil {
		fail(c, err)
		return
	}
	answerDraft(c, d, dialogs.DraftProblems(d), true)
}

func (h *handlers) deleteDraft(c *gin.Context) {
	if err := h.Store.DeleteDraft(c.Request.Context(), server.CallerOf(c).ProjectID, c.Param("slug"), ifMatch(c)); err != nil {
		fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// publishDraft publishes the bot's draft as its next version.
func (h *handlers) publishDraft(c *gin.Context) {
	caller := server.CallerOf(c)
	pub, err := h.Dialogs.PublishDraft(c.Request.Context(), caller.ProjectID, c.Param("slug"), caller.Name, ifMatch(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, publishResponse{BotID: pub.Bot.ID, Slug: pub.Bot.Slug, Version: pub.Version.Version})
}

type replayRequest struct {
	Dialogs int `json:"dialogs"` // how many of the bot's latest dialogs; default 20, at most 100
}

type replayJSON struct {
	Bot      string             `json:"bot"`
	Checksum string             `json:"checksum"` // of the draft replayed
	Replayed int                `json:"replayed"` // dialogs
	Changed  int                `json:"changed"`  // dialogs the draft answers otherwise
	Dialogs  []replayDialogJSON `json:"dialogs"`
}

type replayDialogJSON struct {
	ID       string `json:"id"`
	Number   int64  `json:"number"`
	Turns    int    `json:"turns"`
	Replayed int    `json:"replayed_turns"`
	Stopped  string `json:"stopped,omitempty"`
	// FirstDifference is the first turn the draft answers otherwise; null
	// when it answers every replayed turn as the dialog went.
	FirstDifference *replayDifferenceJSON `json:"first_difference"`
}

type replayDifferenceJSON struct {
	Turn     int    `json:"turn"`
	UserText string `json:"user_text"`
	Message  string `json:"message"`
}

// replayDraft runs the user messages of the bot's latest real dialogs
// against its draft and answers, per dialog, the first turn the draft
// would answer otherwise.
func (h *handlers) replayDraft(c *gin.Context) {
	var req replayRequest
	if !bind(c, &req, `{"dialogs": 50}`) {
		return
	}
	if req.Dialogs == 0 {
		req.Dialogs = 20
	}
	if req.Dialogs < 1 || req.Dialogs > 100 {
		fail(c, store.FieldErrorf(store.EINVALID, "dialogs", "Replay 1 to 100 dialogs, got %d.", req.Dialogs))
		return
	}
	ctx, project, slug := c.Request.Context(), server.CallerOf(c).ProjectID, c.Param("slug")
	draft, err := h.Store.Draft(ctx, project, slug)
	if err != nil {
		fail(c, err)
		return
	}
	if errs := dialogs.DraftProblems(draft).Errors(); len(errs) > 0 {
		fail(c, &dialogs.FlowError{Problems: errs})
		return
	}
	recs, numbers, err := h.recordings(c, project, slug, req.Dialogs)
	if err != nil {
		fail(c, err)
		return
	}
	outcomes, err := convtest.Replay(ctx, draft.Source, recs)
	if err != nil {
		fail(c, err)
		return
	}
	out := replayJSON{Bot: slug, Checksum: draft.Checksum, Replayed: len(outcomes), Dialogs: []replayDialogJSON{}}
	for _, o := range outcomes {
		d := replayDialogJSON{ID: o.ID, Number: numbers[o.ID], Turns: o.Turns, Replayed: o.Replayed, Stopped: o.Stopped}
		if o.Difference != nil {
			out.Changed++
			d.FirstDifference = &replayDifferenceJSON{Turn: o.Difference.Turn, UserText: o.Difference.UserText, Message: o.Difference.Message}
		}
		out.Dialogs = append(out.Dialogs, d)
	}
	c.JSON(http.StatusOK, out)
}

// recordings are the messages of the bot's latest n dialogs that people
// had (test dialogs left out), with each dialog's number by UUID.
func (h *handlers) recordings(c *gin.Context, project int64, slug string, n int) ([]convtest.Recording, map[string]int64, error) {
	ctx := c.Request.Context()
	bot, err := h.Store.Bot(ctx, project, slug)
	if err != nil {
		if store.ErrorCode(err) == store.ENOTFOUND {
			return nil, map[string]int64{}, nil // never published: no dialogs to replay
		}
		return nil, nil, err
	}
	list, _, err := h.Store.ListDialogs(ctx, project, store.DialogFilter{BotID: bot.ID, Limit: min(n*2, 1000)})
	if err != nil {
		return nil, nil, err
	}
	var recs []convtest.Recording
	numbers := map[string]int64{}
	for _, d := range list {
		if d.Source == dialogs.SourceTest || len(recs) == n {
			continue
		}
		msgs, err := h.Store.Messages(ctx, d.ID)
		if err != nil {
			return nil, nil, err
		}
		recs = append(recs, convtest.Recording{ID: d.UUID, Messages: msgs})
		numbers[d.UUID] = d.Number
	}
	return recs, numbers, nil
}
