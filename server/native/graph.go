package native

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/flows"
	"github.com/parleyhq/parley/nodes"
)

// graphJSON is a bot file as an editor draws it: its nodes, the edges
// between them and its problems, from the one validator the server has,
// so the editor never parses flows itself.
type graphJSON struct {
	Bot      string             `json:"bot"`
	Name     string             `json:"name"`
	Start    string             `json:"start"`
	Nodes    []graphNodeJSON    `json:"nodes"`
	Edges    []graphEdgeJSON    `json:"edges"`
	Problems []graphProblemJSON `json:"problems"`
}

type graphNodeJSON struct {
	ID        string         `json:"id"`
	Kind      string         `json:"kind"`
	Line      int            `json:"line"`
	Column    int            `json:"column"`
	FirstLine int            `json:"first_line"`
	LastLine  int            `json:"last_line"`
	UI        *flows.UIPos   `json:"ui"`
	Fields    map[string]any `json:"fields"`
	Valid     bool           `json:"valid"` // false: the entry has errors and runs nowhere
}

type graphEdgeJSON struct {
	From string `json:"from"`
	To   string `json:"to"`
	// Field is the field that names To (next, on_timeout, to, ...); Kind
	// is what the editor draws: next, on_timeout, on_invalid, on_error,
	// goto, or the field's name for the rest.
	Field     string `json:"field"`
	Kind      string `json:"kind"`
	Condition string `json:"condition"` // the branch's `if`, "" for none
	ErrorPath bool   `json:"error_path"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
}

type graphProblemJSON struct {
	Line     int            `json:"line"`
	Column   int            `json:"column"`
	Severity flows.Severity `json:"severity"`
	Code     string         `json:"code"`
	Message  string         `json:"message"`
	Node     string         `json:"node"` // the entry of `nodes` the line is in, "" for none
}

// graph answers a bot file (the body, YAML) as its graph: 200 with the
// problems listed, however broken the file is.
func (h *handlers) graph(c *gin.Context) {
	body, ok := flowBody(c)
	if !ok {
		return
	}
	flow, problems := nodes.Load("bot.yaml", body)
	c.JSON(http.StatusOK, graphOf(flow, flows.Entries(body), problems))
}

func graphOf(flow *flows.Flow, entries []*flows.Entry, problems flows.Problems) graphJSON {
	g := graphJSON{Bot: flow.Bot, Name: flow.Name, Start: flow.Start,
		Nodes: []graphNodeJSON{}, Edges: []graphEdgeJSON{}}
	for _, e := range entries {
		fields := e.Fields
		if fields == nil {
			fields = map[string]any{}
		}
		g.Nodes = append(g.Nodes, graphNodeJSON{ID: e.ID, Kind: e.Kind, Line: e.Pos.Line, Column: e.Pos.Column,
			FirstLine: e.FirstLine, LastLine: e.LastLine, UI: e.UI, Fields: fields, Valid: flow.Node(e.ID) != nil})
	}
	for _, n := range flow.Nodes {
		for _, ref := range n.Edges {
			g.Edges = append(g.Edges, graphEdgeJSON{From: n.ID, To: ref.To, Field: ref.Field, Kind: edgeKind(n, ref),
				Condition: ref.Condition, ErrorPath: ref.ErrorPath, Line: ref.Pos.Line, Column: ref.Pos.Column})
		}
	}
	g.Problems = problemsJSON(entries, problems)
	return g
}

// problemsJSON are a bot file's problems, each with the entry of `nodes`
// its line is in; never nil.
func problemsJSON(entries []*flows.Entry, problems flows.Problems) []graphProblemJSON {
	out := make([]graphProblemJSON, 0, len(problems))
	for _, p := range problems {
		out = append(out, graphProblemJSON{Line: p.Line, Column: p.Column, Severity: p.Severity,
			Code: p.Code, Message: p.Message, Node: entryAt(entries, p.Line)})
	}
	return out
}

// edgeKind is how an editor draws an edge: by the field that makes it,
// with a goto node's `to` as goto.
func edgeKind(n *flows.Node, ref flows.EdgeRef) string {
	if n.Kind == "goto" && ref.Field == "to" {
		return "goto"
	}
	return ref.Field
}

// entryAt returns the id of the entry whose lines hold line, or "".
func entryAt(entries []*flows.Entry, line int) string {
	for _, e := range entries {
		if e.FirstLine <= line && line <= e.LastLine {
			return e.ID
		}
	}
	return ""
}
