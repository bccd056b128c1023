package replyx

import (
	"strconv"
	"time"

	"github.com/coder/websocket"
	"github.com/gin-gonic/gin"
	"golang.org/x/time/rate"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// The dialog WebSocket, GET /ws/dialogs/{id}?token= (docs/replyx/websocket.md):
// an operator's panel (a JWT) or a widget's user (a site token) hears the
// dialog's events and sends messages into it.

// PingInterval is how often the server sends __ping__; a client that has
// said nothing (no __pong__, nothing else) since the last one is cut off,
// so a silent connection lives at most two intervals. Tests shorten it.
var PingInterval = 25 * time.Second

// wsLimit is ReplyX's WebSocket budget: client messages per connection
// (PARLEY_ROUTE_LIMITS ws=N/period replaces it).
var wsLimit = server.RouteLimit{N: 50, Period: time.Minute}

// wsPeer is who is at the other end of a dialog's WebSocket.
type wsPeer struct {
	widget   bool             // the widget's user; else an operator's panel
	operator dialogs.Operator // the panel's user
	readOnly bool             // the panel's user is a viewer: it reads, and writes nothing
}

// mountWebSocket mounts GET /ws/dialogs/{id}.
func mountWebSocket(r *gin.Engine, h *handlers) {
	auth := server.Authenticate(h.Deps, fail)
	r.GET("/ws/dialogs/:id", wsAuthenticate(auth), h.webSocket)
}

// wsAuthenticate signs a panel in with the JWT of ?token= (a browser's
// WebSocket cannot send an Authorization header), through the same
// Authenticate as every route, so a signed-out token is refused here too;
// auth runs the rest of the chain. Any other token is a widget's site
// token, which webSocket checks.
func wsAuthenticate(auth gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		token := c.Query("token")
		if !server.IsJWT(token) {
			c.Next()
			return
		}
		c.Request.Header.Set("Authorization", "Bearer "+token)
		auth(c)
	}
}

// webSocket is GET /ws/dialogs/{id}: everything is checked before the
// upgrade, so a refusal is an HTTP error in ReplyX's shape.
func (h *handlers) webSocket(c *gin.Context) {
	d, peer, err := h.wsDialog(c)
	if err == nil && h.Bus == nil {
		err = store.Errorf(store.EINTERNAL, "This server streams no events: it runs without an event bus.")
	}
	since, resume, serr := sinceSeq(c)
	if err == nil {
		err = serr
	}
	var release func()
	if err == nil {
		release, err = h.OpenStream(peer.streamKey(c, d))
	}
	if err != nil {
		fail(c, err)
		return
	}
	defer release()
	ctx := c.Request.Context()
	sub, stop := h.Bus.Subscribe(ctx, d.ProjectID, d.ID) // before reading the log: nothing falls between
	defer stop()
	// Origins are checked above (a widget's) or mean nothing (a panel's
	// JWT is in the URL, never sent by a browser on its own), so the
	// library's same-origin check would only refuse panels and widgets
	// on other hosts.
	conn, err := websocket.Accept(c.Writer, c.Request, &websocket.AcceptOptions{InsecureSkipVerify: true})
	if err != nil {
		return // Accept answered the client
	}
	budget := h.RouteLimit("ws", wsLimit)
	s := &wsSession{h: h, conn: conn, d: d, peer: peer, limit: connLimiter(budget), budget: budget, msgs: server.NewSeenSet(256)}
	s.run(ctx, sub, since, resume)
}

// streamKey is whose open streams the connection counts against: the
// panel's caller, or a widget's visitor by the dialog, as the widget's
// own streams count.
func (p wsPeer) streamKey(c *gin.Context, d *store.Dialog) string {
	if p.widget {
		return server.VisitorStreamKey(d.UUID)
	}
	return server.StreamKey(c)
}

// connLimiter is one connection's token bucket of l; nil for no limit.
func connLimiter(l server.RouteLimit) *rate.Limiter {
	if l.N <= 0 || l.Period <= 0 {
		return nil
	}
	return rate.NewLimiter(rate.Every(l.Period/time.Duration(l.N)), l.N)
}

// wsDialog is the path's dialog and who asks for it: the panel's caller
// (signed in by wsAuthenticate) in their project, or a widget's user.
func (h *handlers) wsDialog(c *gin.Context) (*store.Dialog, wsPeer, error) {
	if caller := server.CallerOf(c); caller.ProjectID != 0 {
		d, err := h.Dialogs.Find(c.Request.Context(), caller.ProjectID, c.Param("id"))
		return d, wsPeer{operator: operatorFor(c, "", nil), readOnly: !caller.Role.AtLeast(store.RoleOperator)}, err
	}
	d, err := h.widgetDialog(c, c.Query("token"))
	return d, wsPeer{widget: true}, err
}

// widgetDialog is the dialog of a widget's user: the site token's channel
// must allow the page's origin and have the dialog. The dialog is named
// by its UUID (what POST /widget/v1/dialogs answers), never by its number:
// a site token is public and numbers are easy to guess, so a number would
// open every visitor's conversation to anyone.
func (h *handlers) widgetDialog(c *gin.Context, token string) (*store.Dialog, error) {
	if token == "" {
		return nil, store.Errorf(store.EUNAUTHORIZED, "Connect with ?token=: the access_token of POST /api/auth/login, or a widget's site token.")
	}
	ctx := c.Request.Context()
	ch, err := h.Store.ChannelBySiteToken(ctx, token)
	if store.ErrorCode(err) == store.ENOTFOUND {
		return nil, store.Errorf(store.EUNAUTHORIZED, "The token is neither a JWT this server signed nor a widget's site token; sign in again.")
	}
	if err != nil {
		return nil, err
	}
	if origin := c.GetHeader("Origin"); !ch.Allows(origin) {
		return nil, store.Errorf(store.EFORBIDDEN, "This widget runs on its allowed origins only; the page's origin is %q.", origin)
	}
	id := c.Param("id")
	if _, err := strconv.ParseInt(id, 10, 64); err == nil {
		return nil, store.Errorf(store.EFORBIDDEN, "A widget names its dialog by its UUID, the id POST /widget/v1/dialogs gave it, not by its number.")
	}
	d, err := h.Store.Dialog(ctx, ch.ProjectID, id)
	if err == nil && d.ChannelID != ch.ID {
		err = store.Errorf(store.ENOTFOUND, "This widget has no dialog %q.", id)
	}
	return d, err
}

// sinceSeq reads ?since_seq=: the seq of the last event a reconnecting
// client has.
func sinceSeq(c *gin.Context) (seq int64, resume bool, err error) {
	v, ok := c.GetQuery("since_seq")
	if !ok {
		return 0, false, nil
	}
	seq, err = strconv.ParseInt(v, 10, 64)
	if err != nil || seq < 0 {
		return 0, false, store.FieldErrorf(store.EINVALID, "since_seq", "since_seq is the seq of the last event you got, a whole number; not %q.", v)
	}
	return seq, true, nil
}
