package native_test

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
)

type graphAnswer struct {
	Bot, Name, Start string
	Nodes            []struct {
		ID, Kind     string
		Line, Column int
		FirstLine    int `json:"first_line"`
		LastLine     int `json:"last_line"`
		UI           *struct{ X, Y float64 }
		Fields       map[string]any
		Valid        bool
	}
	Edges []struct {
		From, To, Field, Kind, Condition string
		ErrorPath                        bool `json:"error_path"`
		Line, Column                     int
	}
	Problems []struct {
		Line, Column                  int
		Severity, Code, Message, Node string
	}
}

const graphBot = `bot: shop # a comment
name: Shop
nodes:
  ask:
    kind: question
    text: Size?
    save: size
    ui: {x: 10, y: -20.5}
    next:
      - if: size == "L"
        to: large
      - to: other

  # the big ones
  large:
    kind: goto
    to: other
  other:
    kind: message
    text: |
      Thanks.
      Bye.
variables:
  size: { type: string }
`

func TestFlowGraph(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	viewer := member(t, e, "viewer@example.com", store.RoleViewer)
	r := e.Do("POST", "/v1/flows/graph", viewer, graphBot)
	var g graphAnswer
	r.JSON(t, &g)
	if r.Status != http.StatusOK || g.Bot != "shop" || g.Name != "Shop" || g.Start != "ask" || len(g.Problems) != 0 {
		t.Fatalf("graph = %d %s", r.Status, r.Body)
	}
	type span struct {
		id, kind         string
		first, last, col int
	}
	var got []span
	for _, n := range g.Nodes {
		got = append(got, span{n.ID, n.Kind, n.FirstLine, n.LastLine, n.Column})
		if !n.Valid || n.Line != n.FirstLine {
			t.Errorf("node %s: valid %v, line %d", n.ID, n.Valid, n.Line)
		}
	}
	// A node ends before the blank lines and comments after it; the last
	// one before the next top-level key.
	want := []span{{"ask", "question", 4, 12, 3}, {"large", "goto", 15, 17, 3}, {"other", "message", 18, 22, 3}}
	if len(got) != len(want) {
		t.Fatalf("nodes = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("node %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if ui := g.Nodes[0].UI; ui == nil || ui.X != 10 || ui.Y != -20.5 || g.Nodes[1].UI != nil {
		t.Errorf("ui = %+v, %+v", g.Nodes[0].UI, g.Nodes[1].UI)
	}
	if g.Nodes[0].Fields["text"] != "Size?" || g.Nodes[2].Fields["text"] != "Thanks.\nBye.\n" {
		t.Errorf("fields = %v, %v", g.Nodes[0].Fields, g.Nodes[2].Fields)
	}
	type edge struct{ from, to, field, kind, cond string }
	var edges []edge
	for _, ed := range g.Edges {
		edges = append(edges, edge{ed.From, ed.To, ed.Field, ed.Kind, ed.Condition})
	}
	wantEdges := []edge{{"ask", "large", "next", "next", `size == "L"`}, {"ask", "other", "next", "next", ""}, {"large", "other", "to", "goto", ""}}
	if len(edges) != len(wantEdges) {
		t.Fatalf("edges = %+v, want %+v", edges, wantEdges)
	}
	for i := range wantEdges {
		if edges[i] != wantEdges[i] {
			t.Errorf("edge %d = %+v, want %+v", i, edges[i], wantEdges[i])
		}
	}
	if ed := g.Edges[0]; ed.Line != 11 || ed.Column != 13 {
		t.Errorf("first edge at %d:%d, want 11:13 (its `to`)", ed.Line, ed.Column)
	}
}

func TestFlowGraphOfABrokenFile(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	broken := strings.NewReplacer("kind: goto", "kind: jump", "text: Size?", "text: Size?\n    colour: red").Replace(graphBot)
	var g graphAnswer
	r := e.Do("POST", "/v1/flows/graph", e.A.Bearer(), broken)
	r.JSON(t, &g)
	if r.Status != http.StatusOK || len(g.Nodes) != 3 {
		t.Fatalf("graph = %d %s", r.Status, r.Body)
	}
	// The entry of an unknown kind is drawn, as written, without edges.
	if n := g.Nodes[1]; n.ID != "large" || n.Kind != "jump" || n.Valid || n.Fields["to"] != "other" {
		t.Errorf("broken node = %+v", n)
	}
	for _, ed := range g.Edges {
		if ed.From == "large" {
			t.Errorf("an invalid node has an edge: %+v", ed)
		}
	}
	byCode := map[string]string{}
	for _, p := range g.Problems {
		byCode[p.Code] = p.Node
		if p.Severity != "error" && p.Severity != "warning" {
			t.Errorf("problem %+v: severity %q", p, p.Severity)
		}
	}
	if byCode["unknown_kind"] != "large" || byCode["unknown_field"] != "ask" {
		t.Errorf("problems = %+v, want unknown_kind in large and unknown_field in ask", g.Problems)
	}
	for _, p := range g.Problems {
		if p.Code == "unknown_field" && (p.Line != 7 || p.Column != 5) {
			t.Errorf("unknown field at %d:%d, want 7:5", p.Line, p.Column)
		}
	}

	// Not YAML at all, and nothing: still an answer, with the problem.
	for _, body := range []string{"bot: [shop\n", " "} {
		var g graphAnswer
		r := e.Do("POST", "/v1/flows/graph", e.A.Bearer(), body)
		r.JSON(t, &g)
		if r.Status != http.StatusOK || len(g.Problems) == 0 || len(g.Nodes) != 0 {
			t.Errorf("graph of %q = %d %s", body, r.Status, r.Body)
		}
	}
	if r := e.Do("POST", "/v1/flows/graph", "", graphBot); r.Status != http.StatusUnauthorized {
		t.Errorf("without credentials: %d %s", r.Status, r.Body)
	}
}

// TestFlowGraphOfTheExamples: every example bot draws with no problem and
// every node valid, each edge between nodes it lists.
func TestFlowGraphOfTheExamples(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	for _, name := range []string{"support", "leads", "faq"} {
		src, err := os.ReadFile("../../examples/bots/" + name + ".yaml")
		if err != nil {
			t.Fatal(err)
		}
		var g graphAnswer
		e.Do("POST", "/v1/flows/graph", e.A.Bearer(), string(src)).JSON(t, &g)
		ids := map[string]bool{}
		for _, n := range g.Nodes {
			ids[n.ID] = n.Valid
			if n.FirstLine > n.LastLine {
				t.Errorf("%s: node %s spans %d..%d", name, n.ID, n.FirstLine, n.LastLine)
			}
		}
		if len(g.Nodes) == 0 || len(g.Problems) != 0 {
			t.Errorf("%s: %d nodes, problems %+v", name, len(g.Nodes), g.Problems)
		}
		for _, ed := range g.Edges {
			if !ids[ed.From] || !ids[ed.To] {
				t.Errorf("%s: edge %+v names a node the graph does not list", name, ed)
			}
		}
	}
}
