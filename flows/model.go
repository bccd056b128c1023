package flows

import (
	"regexp"
	"time"
)

// Flow is a loaded bot file: the graph of nodes and everything they need.
type Flow struct {
	File        string
	Bot         string
	Name        string
	Description string
	Settings    *Object
	Variables   []*Variable // in file order
	Start       string
	Nodes       []*Node // in file order
	env         *Env
	nodeByID    map[string]*Node
	varByName   map[string]*Variable
}

// Node returns the node with the given id, or nil.
func (f *Flow) Node(id string) *Node { return f.nodeByID[id] }

// Variable returns the declared variable named name, or nil.
func (f *Flow) Variable(name string) *Variable { return f.varByName[name] }

func (f *Flow) addNode(n *Node) {
	if f.nodeByID == nil {
		f.nodeByID = map[string]*Node{}
	}
	f.Nodes = append(f.Nodes, n)
	f.nodeByID[n.ID] = n
}

func (f *Flow) addVariable(v *Variable) {
	if f.varByName == nil {
		f.varByName = map[string]*Variable{}
	}
	f.Variables = append(f.Variables, v)
	f.varByName[v.Name] = v
}

// Env returns the expression environment of the flow's variables.
func (f *Flow) Env() *Env { return f.env }

// VarType is the declared type of a variable.
type VarType string

// Variable types.
const (
	VarString  VarType = "string"
	VarNumber  VarType = "number"
	VarInteger VarType = "integer"
	VarBoolean VarType = "boolean"
	VarObject  VarType = "object"
	VarList    VarType = "list"
	VarAny     VarType = "any"
)

// VarTypes lists the variable types in documentation order.
var VarTypes = []string{"string", "number", "integer", "boolean", "object", "list", "any"}

// Variable is a declared bot variable.
type Variable struct {
	Name        string
	Pos         Pos
	Type        VarType
	Default     any // nil when none is declared
	HasDefault  bool
	Description string
}

// Node is one node of a flow.
type Node struct {
	ID      string
	Pos     Pos // of the node's id
	Kind    string
	KindPos Pos
	Fields  *Object // the checked fields
	Config  any     // the kind's typed config, from Kind.Decode
	Pauses  bool
	Edges   []EdgeRef // every node this node can continue to
}

// EdgeRef is one possible continuation from a node.
type EdgeRef struct {
	Field       string // next, on_timeout, on_error, ...
	To          string
	Pos         Pos
	Conditional bool   // taken only when an `if` holds
	Condition   string // that `if`, as written
	ErrorPath   bool   // taken only when something fails
}

// Entry is one entry of a bot file's `nodes` as written, whether or not it
// is a valid node (see Entries).
type Entry struct {
	ID   string
	Kind string // as written; "" when missing or not a string
	Pos  Pos    // of the id
	// FirstLine and LastLine are the lines the entry spans, from its id to
	// its last value, leaving out the blank lines and comments after it
	// (they belong to what follows).
	FirstLine, LastLine int
	Fields              map[string]any // the entry's fields as plain values; nil when it is not a mapping
	UI                  *UIPos         // where an editor draws it: ui.x and ui.y, when both are numbers
}

// UIPos is a node's position on an editor's canvas.
type UIPos struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Edge is the value of a `next` field: targets tried in order, the first
// whose condition holds (or that has none) wins.
type Edge struct {
	Branches []Branch
}

// Branch is one `{if, to}` entry of an edge.
type Branch struct {
	If    *Expr // nil for the default
	To    string
	ToPos Pos
	hasIf bool // written with `if`, even if the condition did not compile
}

// Value is a checked field value. Exactly one of the typed members is set,
// according to Field.Type.
type Value struct {
	Pos      Pos
	Field    *Field
	Str      string // string, node, bot, variable, enum, url
	Int      int
	Num      float64
	Bool     bool
	Duration time.Duration
	Template *Template
	Expr     *Expr
	Edge     *Edge
	Regex    *regexp.Regexp
	List     []*Value
	Object   *Object // object and map
	Any      any     // any: plain Go values (map[string]any, []any, string, int, float64, bool, nil)
}

// Object is a checked mapping: the values of valid fields, and the position
// of every key that was present (valid or not).
type Object struct {
	Pos    Pos
	Keys   []string // present keys, in file order
	KeyPos map[string]Pos
	Values map[string]*Value // valid values only
	fields []*Field
}

// Has reports whether the key was written in the file.
func (o *Object) Has(name string) bool {
	if o == nil {
		return false
	}
	_, ok := o.KeyPos[name]
	return ok
}

// Invalid reports whether the key was written with a value that has a
// problem (already reported); checks that depend on it should stay quiet.
func (o *Object) Invalid(name string) bool {
	return o.Has(name) && o.Get(name) == nil
}

// Get returns the valid value of a field, or nil.
func (o *Object) Get(name string) *Value {
	if o == nil {
		return nil
	}
	return o.Values[name]
}

// PosOf returns the position of a field's key, or of the object itself when
// the field is absent.
func (o *Object) PosOf(name string) Pos {
	if p, ok := o.KeyPos[name]; ok {
		return p
	}
	return o.Pos
}

// ValuePos returns the position of a field's value, or PosOf(name).
func (o *Object) ValuePos(name string) Pos {
	if v := o.Get(name); v != nil {
		return v.Pos
	}
	return o.PosOf(name)
}

func (o *Object) def(name string) any {
	if o == nil {
		return nil
	}
	if f := fieldNamed(o.fields, name); f != nil {
		return f.Default
	}
	return nil
}

// String returns a text-like field (string, node, bot, variable, enum, url),
// or its default.
func (o *Object) String(name string) string {
	if v := o.Get(name); v != nil {
		return v.Str
	}
	s, _ := o.def(name).(string)
	return s
}

// Int returns an integer field, or its default.
func (o *Object) Int(name string) int {
	if v := o.Get(name); v != nil {
		return v.Int
	}
	i, _ := o.def(name).(int)
	return i
}

// Number returns a number field, or its default.
func (o *Object) Number(name string) float64 {
	if v := o.Get(name); v != nil {
		return v.Num
	}
	switch d := o.def(name).(type) {
	case float64:
		return d
	case int:
		return float64(d)
	}
	return 0
}

// Bool returns a boolean field, or its default.
func (o *Object) Bool(name string) bool {
	if v := o.Get(name); v != nil {
		return v.Bool
	}
	b, _ := o.def(name).(bool)
	return b
}

// Duration returns a duration field, or its default (a duration string).
func (o *Object) Duration(name string) time.Duration {
	if v := o.Get(name); v != nil {
		return v.Duration
	}
	if s, ok := o.def(name).(string); ok {
		d, _ := ParseDuration(s)
		return d
	}
	return 0
}

// Template returns a template field, or nil.
func (o *Object) Template(name string) *Template {
	if v := o.Get(name); v != nil {
		return v.Template
	}
	return nil
}

// Expr returns an expression or condition field, or nil.
func (o *Object) Expr(name string) *Expr {
	if v := o.Get(name); v != nil {
		return v.Expr
	}
	return nil
}

// Edge returns an edge field, or nil.
func (o *Object) Edge(name string) *Edge {
	if v := o.Get(name); v != nil {
		return v.Edge
	}
	return nil
}

// Regex returns a regex field, or nil.
func (o *Object) Regex(name string) *regexp.Regexp {
	if v := o.Get(name); v != nil {
		return v.Regex
	}
	return nil
}

// Object returns a nested object or map field, or nil.
func (o *Object) Object(name string) *Object {
	if v := o.Get(name); v != nil {
		return v.Object
	}
	return nil
}

// List returns a list field's items, or nil.
func (o *Object) List(name string) []*Value {
	if v := o.Get(name); v != nil {
		return v.List
	}
	return nil
}

// Any returns an any field as plain Go values, or its default.
func (o *Object) Any(name string) any {
	if v := o.Get(name); v != nil {
		return v.Any
	}
	return o.def(name)
}
