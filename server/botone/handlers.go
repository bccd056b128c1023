package botone

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// api serves the V1 and V2 dialog methods; every one needs Basic auth.
type api struct {
	server.Deps
}

// mount routes the dialog methods. Roles, as the native API's: a viewer
// reads; creating, starting, stopping a dialog or talking in it is an
// operator's (GET .../create creates one too).
func (a *api) mount(r *gin.Engine) {
	auth := server.Authenticate(a.Deps, fail)
	act := server.RequireRole(store.RoleOperator, fail)
	budget := a.DialogBudget(fail) // the routes that create a dialog
	v1 := r.Group("/api/v1", auth)
	v1.GET("/conversations", func(c *gin.Context) { a.list(c, false) })
	v1.GET("/conversation/:id", func(c *gin.Context) { a.conversation(c, false) })
	v1.GET("/dialog/:bot/create", act, budget, func(c *gin.Context) { a.create(c, false) })
	v1.GET("/file/:id", server.ServeFile(a.Deps, fail))
	v2 := r.Group("/api/v2", auth)
	v2.GET("/conversations", func(c *gin.Context) { a.list(c, true) })
	v2.GET("/conversation/:id", func(c *gin.Context) { a.conversation(c, true) })
	v2.GET("/dialog/:bot/create", act, budget, func(c *gin.Context) { a.create(c, false) })
	v2.POST("/dialog/:bot/create", act, budget, a.createAndStart)
	v2.POST("/conversation/:id/stop", act, a.stop)
	v2.POST("/conversation/:id/start", act, a.start)
	v2.POST("/conversation/:id/send", act, a.send)
	v2.POST("/conversation/:id/command", act, a.command)
	v2.GET("/file/:id", server.ServeFile(a.Deps, fail))
}

func (a *api) list(c *gin.Context, v2 bool) {
	q, err := parseListQuery(c.Request.URL.Query())
	if err != nil {
		fail(c, err)
		return
	}
	ds, total, err := a.Store.ListDialogs(c.Request.Context(), server.CallerOf(c).ProjectID, q.filter)
	if err != nil {
		fail(c, err)
		return
	}
	now := time.Now()
	items := make([]conversation, len(ds))
	for i := range ds {
		items[i] = conversationOf(&ds[i], v2, now)
	}
	body, err := listJSON(items, pagination{Total: total, Count: len(items), PerPage: q.filter.Limit, CurrentPage: q.page, TotalPages: pages(total, q.filter.Limit)})
	if err != nil {
		fail(c, err)
		return
	}
	c.Data(http.StatusOK, "application/json; charset=utf-8", body)
}

// conversation returns one dialog with its collected data. V1 takes the
// integer id and returns data as an array; V2 takes the UUID and, as the
// document shows, returns data as a JSON string.
func (a *api) conversation(c *gin.Context, v2 bool) {
	d, ok := a.dialog(c, v2)
	if !ok {
		return
	}
	items, err := a.Store.Data(c.Request.Context(), d.ID)
	if err != nil {
		fail(c, err)
		return
	}
	conv := conversationOf(d, v2, time.Now())
	if v2 {
		encoded, _ := json.Marshal(dataOf(items))
		conv.Data = string(encoded)
	} else {
		conv.Data = dataOf(items)
	}
	c.JSON(http.StatusOK, conv)
}

// dialog finds the caller's dialog by integer id (V1) or UUID (V2).
func (a *api) dialog(c *gin.Context, byUUID bool) (*store.Dialog, bool) {
	ctx, project, id := c.Request.Context(), server.CallerOf(c).ProjectID, c.Param("id")
	var d *store.Dialog
	var err error
	if byUUID {
		d, err = a.Store.Dialog(ctx, project, id)
	} else if n, perr := strconv.ParseInt(id, 10, 64); perr == nil {
		d, err = a.Store.DialogByID(ctx, project, n)
	} else {
		err = store.Errorf(store.EINVALID, "The conversation id must be an integer in API V1, got %q.", id)
	}
	if err != nil {
		fail(c, err)
		return nil, false
	}
	return d, true
}

// bot finds the caller's bot by the integer BotID of the path.
func (a *api) bot(c *gin.Context, raw string) (*store.Bot, bool) {
	id, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
	if err != nil {
		fail(c, store.Errorf(store.EINVALID, "BotID must be an integer, got %q.", raw))
		return nil, false
	}
	b, err := a.Store.BotByID(c.Request.Context(), server.CallerOf(c).ProjectID, id)
	if err != nil {
		fail(c, err)
		return nil, false
	}
	return b, true
}

// create makes a dialog that has not started: 200 {"dialogId": uuid}.
func (a *api) create(c *gin.Context, _ bool) {
	vars, err := parseVariables(c.Query("variables"))
	if err != nil {
		fail(c, err)
		return
	}
	d, ok := a.newDialog(c, vars, false)
	if ok {
		c.JSON(http.StatusOK, gin.H{"dialogId": d.UUID})
	}
}

func (a *api) newDialog(c *gin.Context, vars map[string]any, start bool) (*store.Dialog, bool) {
	b, ok := a.bot(c, c.Param("bot"))
	if !ok {
		return nil, false
	}
	in := dialogs.CreateInput{Variables: vars, Start: start, Source: "api", IP: c.ClientIP(), IdempotencyKey: c.GetHeader(dialogs.IdempotencyHeader)}
	d, _, err := a.Dialogs.Create(c.Request.Context(), server.CallerOf(c).ProjectID, b.Slug, in)
	if err != nil {
		fail(c, err)
		return nil, false
	}
	return d, true
}

// parseVariables reads the `variables` parameter: a JSON object.
func parseVariables(s string) (map[string]any, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	if server.JSONDepth([]byte(s)) > server.MaxJSONDepth {
		return nil, store.Errorf(store.EINVALID, "variables nest objects and arrays deeper than %d levels; send a flatter object, like {\"name\":\"Dasha\"}.", server.MaxJSONDepth)
	}
	var vars map[string]any
	if err := json.Unmarshal([]byte(s), &vars); err != nil {
		return nil, store.Errorf(store.EINVALID, "variables must be a JSON object, like {\"name\":\"Dasha\"}: %v.", err)
	}
	return vars, nil
}

// createBody is POST create's optional body; variables is a JSON string
// in the document, and an object is accepted too.
type createBody struct {
	Response  *bool           `json:"response"`
	Variables json.RawMessage `json:"variables"`
}

// createAndStart makes a dialog and runs its first turn. With response
// true it answers {"dialogId": int, "dialogUUID": uuid}.
func (a *api) createAndStart(c *gin.Context) {
	vars, respond, err := createParams(c)
	if err != nil {
		fail(c, err)
		return
	}
	d, ok := a.newDialog(c, vars, true)
	if !ok {
		return
	}
	if respond {
		c.JSON(http.StatusOK, gin.H{"dialogId": d.ID, "dialogUUID": d.UUID})
		return
	}
	c.JSON(http.StatusOK, gin.H{})
}

const createExample = `{"response": true, "variables": "{\\"name\\": \\"User\\"}"}`

// createParams merges the query and the body; the body wins.
func createParams(c *gin.Context) (map[string]any, bool, error) {
	vars, err := parseVariables(c.Query("variables"))
	if err != nil {
		return nil, false, err
	}
	respond := c.Query("response") == "true"
	var body createBody
	if err := server.BindJSON(c, &body, server.Body{Example: createExample, Optional: true}); err != nil {
		return nil, false, err
	}
	if body.Response != nil {
		respond = *body.Response
	}
	if len(body.Variables) > 0 && string(body.Variables) != "null" {
		raw := string(body.Variables)
		var s string
		if json.Unmarshal(body.Variables, &s) == nil {
			raw = s
		}
		if vars, err = parseVariables(raw); err != nil {
			return nil, false, err
		}
	}
	return vars, respond, nil
}

// stop hands the dialog to an operator: 204, status operator.
func (a *api) stop(c *gin.Context) {
	if d, ok := a.dialog(c, true); ok {
		_, err := a.Dialogs.Stop(c.Request.Context(), d)
		done(c, err, http.StatusNoContent)
	}
}

// start resumes the bot: 204, status in-process.
func (a *api) start(c *gin.Context) {
	if d, ok := a.dialog(c, true); ok {
		_, err := a.Dialogs.Start(c.Request.Context(), d)
		done(c, err, http.StatusNoContent)
	}
}

type bodyRequest struct {
	Body string `json:"body"`
}

// send posts an operator's message: 204.
func (a *api) send(c *gin.Context) {
	var req bodyRequest
	if err := server.BindJSON(c, &req, server.Body{Example: sendExample}); err != nil {
		fail(c, err)
		return
	}
	if strings.TrimSpace(req.Body) == "" {
		fail(c, store.FieldErrorf(store.EINVALID, "body", "Send the message in `body`, like %s.", sendExample))
		return
	}
	if d, ok := a.dialog(c, true); ok {
		_, err := a.Dialogs.OperatorMessage(c.Request.Context(), d, operatorOf(c), req.Body)
		done(c, err, http.StatusNoContent)
	}
}

const (
	sendExample    = `{"body": "Hello, I am an operator."}`
	commandExample = `{"body": "goto 698"}`
)

// command runs "goto <BotID>": 200 {"message": "Goto command complete"}.
func (a *api) command(c *gin.Context) {
	var req bodyRequest
	if err := server.BindJSON(c, &req, server.Body{Example: commandExample}); err != nil {
		fail(c, err)
		return
	}
	fields := strings.Fields(req.Body)
	if len(fields) != 2 || fields[0] != "goto" {
		fail(c, store.FieldErrorf(store.EINVALID, "body", "The only command is \"goto <BotID>\", like %s.", commandExample))
		return
	}
	b, ok := a.bot(c, fields[1])
	if !ok {
		return
	}
	if d, ok := a.dialog(c, true); ok {
		_, err := a.Dialogs.GotoBot(c.Request.Context(), d, b.Slug)
		if err != nil {
			fail(c, err)
			return
		}
		c.JSON(http.StatusOK, gin.H{"message": "Goto command complete"})
	}
}

// done answers a use case with status, or renders its error.
func done(c *gin.Context, err error, status int) {
	if err != nil {
		fail(c, err)
		return
	}
	c.Status(status)
}

// operatorOf is the caller as an operator (server.Caller.Operator).
func operatorOf(c *gin.Context) dialogs.Operator {
	id, name := server.CallerOf(c).Operator("")
	return dialogs.Operator{ID: id, Name: name}
}
