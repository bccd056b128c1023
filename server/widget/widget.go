// Package widget is the API of the chat widget (widget.js) that a web site
// embeds: a visitor starts a dialog with the bot of a widget channel's
// site token and talks in it, from a page of one of the channel's allowed
// origins only. Errors have the native shape.
package widget

import (
	"context"
	_ "embed"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/secretbox"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// Dialect is the widget's API, /widget/v1.
var Dialect = server.Dialect{Name: "widget", Owns: []string{"/widget"}, Mount: mount, Fail: server.Fail, OwnCORS: true}

// Headers a widget sends: the channel's site token to start a dialog, the
// visitor's token (from that answer) for everything in it.
const (
	SiteTokenHeader    = "X-Site-Token"
	VisitorTokenHeader = "X-Visitor-Token"
)

// The script sites load, and the demo page that loads it.
var (
	//go:embed static/widget.js
	script []byte
	//go:embed static/demo.html
	demo []byte
)

func mount(r *gin.Engine, d server.Deps) {
	h := &handlers{Deps: d}
	r.GET("/widget.js", func(c *gin.Context) {
		c.Header("Cache-Control", "public, max-age=300")
		c.Data(http.StatusOK, "text/javascript; charset=utf-8", script)
	})
	r.GET("/ui/widget-demo", func(c *gin.Context) { c.Data(http.StatusOK, "text/html; charset=utf-8", demo) })
	g := r.Group("/widget/v1")
	g.OPTIONS("/dialogs", preflight)
	g.POST("/dialogs", h.start)
	g.OPTIONS("/dialogs/:id/messages", preflight)
	g.POST("/dialogs/:id/messages", h.visitor(d.Dialogs.FindToTalk, h.message))
	g.GET("/dialogs/:id/messages", h.visitor(d.Dialogs.Find, h.messages))
	g.GET("/dialogs/:id/events", h.visitorFrom(allow, visitorToken, d.Dialogs.Find, h.events))
	g.OPTIONS("/dialogs/:id/files", preflight)
	g.POST("/dialogs/:id/files", h.visitor(d.Dialogs.FindToTalk, h.upload))
	g.GET("/dialogs/:id/files/:file_id", h.visitorFrom(allowLink, visitorToken, d.Dialogs.Find, h.file))
}

type handlers struct {
	server.Deps
}

// preflight answers a browser's CORS preflight for any origin: it carries
// no token, so which channel is asked for is unknown until the request
// itself, which is refused from an origin its channel does not allow.
func preflight(c *gin.Context) {
	if origin := c.GetHeader("Origin"); origin != "" {
		c.Header("Access-Control-Allow-Origin", origin)
		c.Header("Vary", "Origin")
	}
	c.Header("Access-Control-Allow-Methods", "GET, POST")
	c.Header("Access-Control-Allow-Headers", "Content-Type, "+SiteTokenHeader+", "+VisitorTokenHeader)
	c.Header("Access-Control-Max-Age", "600")
	c.Status(http.StatusNoContent)
}

// allow lets the request's page use ch: its origin must be one of the
// channel's, and the answer says so to the browser.
func allow(c *gin.Context, ch *store.Channel) bool {
	origin := pageOrigin(c)
	if !ch.Allows(origin) {
		server.Fail(c, store.Errorf(store.EFORBIDDEN, "This widget runs on %s only; the page's origin is %q. Add it to the channel's allowed_origins.",
			strings.Join(ch.AllowedOrigins, ", "), origin))
		return false
	}
	c.Header("Access-Control-Allow-Origin", origin)
	c.Header("Vary", "Origin")
	return true
}

// pageOrigin is the origin of the page a request comes from: its Origin
// header, or for a same-origin GET, which browsers send without one (an
// EventSource on a page of Parley's own), the origin of its Referer.
func pageOrigin(c *gin.Context) string {
	if o := c.GetHeader("Origin"); o != "" {
		return o
	}
	ref, err := url.Parse(c.GetHeader("Referer"))
	if err != nil || ref.Scheme == "" || ref.Host == "" {
		return ""
	}
	return ref.Scheme + "://" + ref.Host
}

type messageJSON struct {
	ID        string     `json:"id"`
	Role      string     `json:"role"`
	Text      string     `json:"text"`
	Buttons   []string   `json:"buttons,omitempty"`
	Operator  string     `json:"operator,omitempty"` // an operator's name, for their messages
	Files     []fileJSON `json:"files,omitempty"`    // sent with the message, each with the visitor's link
	CreatedAt time.Time  `json:"created_at"`
}

func messagesJSON(msgs []store.Message, link linker) []messageJSON {
	out := make([]messageJSON, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, messageJSON{ID: m.ID, Role: m.Role, Text: m.Text, Buttons: m.Buttons, Operator: m.Operator,
			Files: filesJSON(m.Files, link), CreatedAt: m.CreatedAt.UTC()})
	}
	return out
}

// turnJSON is what the bot said in a turn and where the dialog stands.
type turnJSON struct {
	Messages []messageJSON    `json:"messages"`
	Status   string           `json:"status"`
	Waiting  *dialogs.Waiting `json:"waiting,omitempty"`
}

func turnOf(t *dialogs.Turn, link linker) turnJSON {
	return turnJSON{Messages: messagesJSON(t.Messages, link), Status: t.State.Status, Waiting: t.Waiting}
}

type startRequest struct {
	// User is what the site knows of its visitor (id, name, email, ...):
	// `user` in the bot's expressions.
	User map[string]any `json:"user"`
}

type startResponse struct {
	ID           string `json:"id"`
	VisitorToken string `json:"visitor_token"`
	turnJSON
}

// start begins a dialog with the site token's bot and gives the visitor
// the token that is their key to it.
func (h *handlers) start(c *gin.Context) {
	var req startRequest
	if err := server.BindJSON(c, &req, server.Body{Example: `{"user": {"name": "Ann"}}`, Optional: true}); err != nil {
		server.Fail(c, err)
		return
	}
	ctx := c.Request.Context()
	ch, err := h.Store.ChannelBySiteToken(ctx, c.GetHeader(SiteTokenHeader))
	if err != nil {
		server.Fail(c, store.Errorf(store.EUNAUTHORIZED, "Send the widget channel's site token as %s.", SiteTokenHeader))
		return
	}
	if !allow(c, ch) || !h.canSeal(c) {
		return
	}
	if err := h.SpendDialog(c); err != nil { // the visitor's address: they have no key
		server.Fail(c, err)
		return
	}
	bot, err := h.Store.BotByID(ctx, ch.ProjectID, ch.BotID)
	if err != nil {
		server.Fail(c, err)
		return
	}
	d, turn, err := h.Dialogs.Create(ctx, ch.ProjectID, bot.Slug, dialogs.CreateInput{Start: true, Source: "widget", IP: c.ClientIP(), User: req.User, ChannelID: ch.ID})
	if err != nil {
		server.Fail(c, err)
		return
	}
	token, err := h.Secrets.Seal(visitorClaim(ch, d.UUID))
	if err != nil {
		server.Fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, startResponse{ID: d.UUID, VisitorToken: token, turnJSON: turnOf(turn, h.fileLink(d, token))})
}

// canSeal answers 501 when the server has no key to seal visitor tokens.
func (h *handlers) canSeal(c *gin.Context) bool {
	if h.Secrets == nil {
		c.AbortWithStatusJSON(http.StatusNotImplemented, server.ErrorBody{Error: server.ErrorDetail{Code: "NOT_IMPLEMENTED",
			Message: "This server cannot make visitor tokens: set " + secretbox.EnvKey + " (openssl rand -base64 32) and restart it."}})
		return false
	}
	return true
}

// visitorClaim is what a visitor token seals: the channel (and its
// project) and the dialog.
func visitorClaim(ch *store.Channel, dialogUUID string) string {
	return fmt.Sprintf("widget:%d:%d:%s", ch.ProjectID, ch.ID, dialogUUID)
}

// openClaim reads a visitor token's claim: ok false unless the server
// sealed it and it names the dialog.
func (h *handlers) openClaim(token, dialogUUID string) (project, channel int64, ok bool) {
	claim, err := h.Secrets.Open(token)
	parts := strings.Split(claim, ":")
	if err != nil || len(parts) != 4 || parts[0] != "widget" || parts[3] != dialogUUID {
		return 0, 0, false
	}
	project, perr := strconv.ParseInt(parts[1], 10, 64)
	channel, cerr := strconv.ParseInt(parts[2], 10, 64)
	return project, channel, perr == nil && cerr == nil
}

// finder finds a project's dialog: Find, or FindToTalk for a turn.
type finder func(ctx context.Context, projectID int64, id string) (*store.Dialog, error)

// visitor runs next for the visitor whose token, in the header, opens
// the path's dialog, from a page its channel allows.
func (h *handlers) visitor(find finder, next func(c *gin.Context, d *store.Dialog)) gin.HandlerFunc {
	return h.visitorFrom(allow, headerToken, find, next)
}

// visitorFrom is visitor with the page's origin checked by allowed and
// the token read by token: from the query too only where a browser
// cannot send headers (an EventSource, a link), never on a change, so a
// token in a URL (logs, the Referer) opens no more than those reads.
func (h *handlers) visitorFrom(allowed func(c *gin.Context, ch *store.Channel) bool, token func(c *gin.Context) string, find finder, next func(c *gin.Context, d *store.Dialog)) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !h.canSeal(c) {
			return
		}
		project, channel, ok := h.openClaim(token(c), c.Param("id"))
		if !ok {
			server.Fail(c, store.Errorf(store.EUNAUTHORIZED, "Send the visitor token this dialog was started with as %s.", VisitorTokenHeader))
			return
		}
		ctx := c.Request.Context()
		deleted := store.Errorf(store.EUNAUTHORIZED, "The widget channel of this dialog was deleted.")
		ch, err := h.Store.Channel(ctx, project, channel)
		if err != nil {
			server.Fail(c, deleted)
			return
		}
		// Deleting a channel leaves its dialogs of no channel, and a channel
		// made later may get its id back: the token is dead then. The
		// store says (find may answer from a turn's copy); the token names
		// the dialog, so looking it up first tells nothing.
		stored, err := h.Store.Dialog(ctx, project, c.Param("id"))
		if err == nil && stored.ChannelID != ch.ID {
			err = deleted
		}
		if err != nil {
			server.Fail(c, err)
			return
		}
		if !allowed(c, ch) {
			return
		}
		d, err := find(ctx, project, c.Param("id"))
		if err != nil {
			server.Fail(c, err)
			return
		}
		next(c, d)
	}
}

type messageRequest struct {
	Text            string `json:"text"`
	ClientMessageID string `json:"client_message_id"`
}

func (h *handlers) message(c *gin.Context, d *store.Dialog) {
	var req messageRequest
	if err := server.BindJSON(c, &req, server.Body{Example: `{"text": "Hello", "client_message_id": "m-1"}`}); err != nil {
		server.Fail(c, err)
		return
	}
	turn, err := h.Dialogs.SendMessage(c.Request.Context(), d, dialogs.Message{Text: req.Text, ClientMessageID: req.ClientMessageID})
	if err != nil {
		server.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, turnOf(turn, h.fileLink(d, visitorToken(c))))
}

// messages is the whole conversation, for a widget that reconnects.
func (h *handlers) messages(c *gin.Context, d *store.Dialog) {
	msgs, err := h.Store.Messages(c.Request.Context(), d.ID)
	if err != nil {
		server.Fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"messages": messagesJSON(msgs, h.fileLink(d, visitorToken(c))), "status": d.Status})
}
