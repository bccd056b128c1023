package flows

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

var (
	nodeIDPattern  = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	botSlugPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	varNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// Checker checks YAML values against field specs and collects problems. Kinds
// get one in Decode to report what their field types cannot catch.
type Checker struct {
	Reporter
	Flow    *Flow
	lines   []string
	nodeIDs map[string]bool
	entries []string // nodes run from outside the graph (MarkEntry)
}

// MarkEntry records a node that runs from outside the flow's edges, like
// the block of a tool the model calls, so it is not reported unreachable.
func (c *Checker) MarkEntry(id string) { c.entries = append(c.entries, id) }

// checkObject checks a mapping against fields: unknown fields (with the
// closest known name), missing required fields, and every value.
func (c *Checker) checkObject(n *yaml.Node, fields []*Field, where string) *Object {
	obj := c.newObject(n, fields)
	if n.Kind != yaml.MappingNode {
		c.Errorf(posOf(n), CodeWrongType, "%s must be a mapping of fields, got %s", where, describe(n))
		return obj
	}
	c.fillObject(obj, c.pairs(n), fields, where)
	return obj
}

func (c *Checker) newObject(n *yaml.Node, fields []*Field) *Object {
	return &Object{Pos: posOf(n), KeyPos: map[string]Pos{}, Values: map[string]*Value{}, fields: fields}
}

// fillObject checks the pairs of a mapping against fields.
func (c *Checker) fillObject(obj *Object, pairs []pair, fields []*Field, where string) {
	for _, p := range pairs {
		name := p.key.Value
		f := fieldNamed(fields, name)
		if f == nil {
			c.Errorf(posOf(p.key), CodeUnknownField, "%s has no field %q%s", where, name, DidYouMean(name, fieldNames(fields)))
			continue
		}
		if isNull(p.value) { // `field:` with no value is the same as leaving it out
			if f.Required {
				c.Errorf(posOf(p.key), CodeMissingField, "%q needs a value: %s", name, f.Doc)
				obj.KeyPos[name] = posOf(p.key) // reported; skip the check below
			}
			continue
		}
		obj.Keys = append(obj.Keys, name)
		obj.KeyPos[name] = posOf(p.key)
		if v := c.checkValue(p.value, f); v != nil {
			obj.Values[name] = v
		}
	}
	for _, f := range fields {
		if f.Required && !obj.Has(f.Name) {
			c.Errorf(obj.Pos, CodeMissingField, "%s needs %q: %s", where, f.Name, f.Doc)
		}
	}
}

// checkValue checks one value against its field; it returns nil when the
// value is invalid (the problem is reported).
func (c *Checker) checkValue(n *yaml.Node, f *Field) *Value {
	n = resolve(n)
	if n == nil {
		return nil
	}
	v := &Value{Pos: posOf(n), Field: f}
	var ok bool
	switch f.Type {
	case TypeObject:
		v.Object, ok = c.checkObject(n, f.Fields, fmt.Sprintf("%q", f.Name)), n.Kind == yaml.MappingNode
	case TypeMap:
		v.Object, ok = c.checkMap(n, f)
	case TypeList:
		v.List, ok = c.checkList(n, f)
	case TypeAny:
		budget := 100000
		v.Any, ok = c.plain(n, &budget, 0)
		if !ok {
			c.Errorf(v.Pos, CodeTooLarge, "%q is too large or too deeply nested", f.Name)
		}
	case TypeTemplated:
		return c.checkTemplated(n, f, 0)
	case TypeEdge:
		v.Edge, ok = c.checkEdge(n, f)
	default:
		if n.Kind != yaml.ScalarNode {
			c.Errorf(v.Pos, CodeWrongType, "%q must be %s, got %s", f.Name, typeNoun(f), describe(n))
			return nil
		}
		ok = c.checkScalar(n, f, v)
	}
	if !ok {
		return nil
	}
	return v
}

func typeNoun(f *Field) string {
	switch f.Type {
	case TypeInt:
		return "a whole number"
	case TypeNumber:
		return "a number"
	case TypeBool:
		return "true or false"
	case TypeDuration:
		return "a duration like 30s, 10m, 2h or 3d"
	case TypeURL:
		return "an absolute http(s) URL"
	case TypeNode:
		return "a node id"
	case TypeBot:
		return "a bot slug"
	case TypeVariable:
		return "a variable name"
	case TypeEnum:
		return "one of " + strings.Join(f.Options, ", ")
	case TypeExpr, TypeCondition:
		return "an expression"
	}
	return "text"
}

// checkScalar checks a scalar value and fills the matching member of v.
func (c *Checker) checkScalar(n *yaml.Node, f *Field, v *Value) bool {
	s := n.Value
	v.Str = s
	switch f.Type {
	case TypeString:
		return true
	case TypeTemplate:
		v.Template = c.compileTemplate(n)
		return v.Template != nil
	case TypeExpr, TypeCondition:
		v.Expr = c.compileExpr(n, f.Type == TypeCondition)
		return v.Expr != nil
	case TypeInt:
		return c.checkInt(n, f, v)
	case TypeNumber:
		return c.checkNumber(n, f, v)
	case TypeBool:
		if n.Tag != "!!bool" {
			c.Errorf(v.Pos, CodeWrongType, "%q must be true or false, got %s", f.Name, describe(n))
			return false
		}
		v.Bool = s == "true"
		return true
	case TypeDuration:
		d, err := ParseDuration(s)
		if err != nil {
			c.Errorf(v.Pos, CodeBadDuration, "%q: %v", f.Name, err)
			return false
		}
		v.Duration = d
		return true
	case TypeURL:
		return c.checkURL(n, f)
	case TypeNode:
		return c.checkNodeRef(n, f)
	case TypeBot:
		if !botSlugPattern.MatchString(s) {
			c.Errorf(v.Pos, CodeInvalidID, "%q must be a bot slug (lowercase letters, digits, - and _), got %s", f.Name, describe(n))
			return false
		}
		return true
	case TypeVariable:
		return c.checkVariableRef(n)
	case TypeEnum:
		for _, o := range f.Options {
			if o == s {
				return true
			}
		}
		c.Errorf(v.Pos, CodeInvalidValue, "%q must be one of %s, got %s%s", f.Name, strings.Join(f.Options, ", "), describe(n), DidYouMean(s, f.Options))
		return false
	case TypeRegex:
		re, err := regexp.Compile(s)
		if err != nil {
			c.Errorf(v.Pos, CodeBadRegex, "%q is not a valid regular expression: %v", f.Name, err)
			return false
		}
		v.Regex = re
		return true
	}
	return false
}

func (c *Checker) checkInt(n *yaml.Node, f *Field, v *Value) bool {
	var i int
	if n.Tag != "!!int" || n.Decode(&i) != nil {
		c.Errorf(v.Pos, CodeWrongType, "%q must be a whole number, got %s", f.Name, describe(n))
		return false
	}
	v.Int, v.Num = i, float64(i)
	return c.checkRange(f, v)
}

func (c *Checker) checkNumber(n *yaml.Node, f *Field, v *Value) bool {
	var num float64
	if (n.Tag != "!!int" && n.Tag != "!!float") || n.Decode(&num) != nil || math.IsNaN(num) || math.IsInf(num, 0) {
		c.Errorf(v.Pos, CodeWrongType, "%q must be a number, got %s", f.Name, describe(n))
		return false
	}
	v.Num = num
	return c.checkRange(f, v)
}

func (c *Checker) checkRange(f *Field, v *Value) bool {
	if (f.Min != nil && v.Num < *f.Min) || (f.Max != nil && v.Num > *f.Max) {
		c.Errorf(v.Pos, CodeOutOfRange, "%q must be %s, got %v", f.Name, rangeText(f), v.Num)
		return false
	}
	return true
}

func rangeText(f *Field) string {
	switch {
	case f.Min != nil && f.Max != nil:
		return fmt.Sprintf("between %v and %v", *f.Min, *f.Max)
	case f.Min != nil:
		return fmt.Sprintf("at least %v", *f.Min)
	}
	return fmt.Sprintf("at most %v", *f.Max)
}

func (c *Checker) checkURL(n *yaml.Node, f *Field) bool {
	u, err := url.Parse(n.Value)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		c.Errorf(posOf(n), CodeBadURL, "%q must be an absolute http:// or https:// URL, got %s", f.Name, describe(n))
		return false
	}
	return true
}

func (c *Checker) checkNodeRef(n *yaml.Node, f *Field) bool {
	if c.nodeIDs[n.Value] {
		return true
	}
	c.Errorf(posOf(n), CodeUnknownNode, "%q points to %s, which is not a node of this bot%s", f.Name, describe(n), DidYouMean(n.Value, sortedKeys(c.nodeIDs)))
	return false
}

func (c *Checker) checkVariableRef(n *yaml.Node) bool {
	if c.Flow.Variable(n.Value) != nil {
		return true
	}
	var names []string
	for _, v := range c.Flow.Variables {
		names = append(names, v.Name)
	}
	c.Errorf(posOf(n), CodeUnknownVariable, "variable %s is not declared; add it under `variables`%s", describe(n), DidYouMean(n.Value, names))
	return false
}

func (c *Checker) checkList(n *yaml.Node, f *Field) ([]*Value, bool) {
	if n.Kind != yaml.SequenceNode {
		c.Errorf(posOf(n), CodeWrongType, "%q must be a list, got %s", f.Name, describe(n))
		return nil, false
	}
	if f.NonEmpty && len(n.Content) == 0 {
		c.Errorf(posOf(n), CodeMissingField, "%q is empty; give at least one item", f.Name)
		return nil, false
	}
	items := make([]*Value, 0, len(n.Content))
	for _, item := range n.Content {
		if v := c.checkValue(item, f.Elem); v != nil {
			items = append(items, v)
		}
	}
	return items, true // invalid items are reported and left out
}

// checkMap checks a mapping with free keys; keys of TypeVariable maps must
// name declared variables.
func (c *Checker) checkMap(n *yaml.Node, f *Field) (*Object, bool) {
	obj := c.newObject(n, nil)
	if n.Kind != yaml.MappingNode {
		c.Errorf(posOf(n), CodeWrongType, "%q must be a mapping, got %s", f.Name, describe(n))
		return obj, false
	}
	if f.NonEmpty && len(n.Content) == 0 {
		c.Errorf(posOf(n), CodeMissingField, "%q is empty; give at least one entry", f.Name)
		return obj, false
	}
	for _, p := range c.pairs(n) {
		name := p.key.Value
		obj.Keys = append(obj.Keys, name)
		obj.KeyPos[name] = posOf(p.key)
		if f.Key == TypeVariable && !c.checkVariableRef(p.key) {
			continue
		}
		if v := c.checkValue(p.value, f.Elem); v != nil {
			obj.Values[name] = v
		}
	}
	return obj, true // invalid entries are reported and left out
}

// checkTemplated checks any value whose strings are templates.
func (c *Checker) checkTemplated(n *yaml.Node, f *Field, depth int) *Value {
	n = resolve(n)
	if n == nil || depth > 32 {
		c.Errorf(Pos{}, CodeTooLarge, "%q is nested too deeply", f.Name)
		return nil
	}
	v := &Value{Pos: posOf(n), Field: f}
	switch n.Kind {
	case yaml.MappingNode:
		v.Object = c.newObject(n, nil)
		for _, p := range c.pairs(n) {
			v.Object.Keys = append(v.Object.Keys, p.key.Value)
			v.Object.KeyPos[p.key.Value] = posOf(p.key)
			if item := c.checkTemplated(p.value, f, depth+1); item != nil {
				v.Object.Values[p.key.Value] = item
			}
		}
	case yaml.SequenceNode:
		for _, el := range n.Content {
			if item := c.checkTemplated(el, f, depth+1); item != nil {
				v.List = append(v.List, item)
			}
		}
	case yaml.ScalarNode:
		if n.Tag != "!!str" {
			v.Any = scalarValue(n)
			return v
		}
		v.Template = c.compileTemplate(n)
		if v.Template == nil {
			return nil
		}
	}
	return v
}

// checkEdge checks `next`: a node id, or a list of {if, to} entries where
// only the last may lack `if`.
func (c *Checker) checkEdge(n *yaml.Node, f *Field) (*Edge, bool) {
	if n.Kind == yaml.ScalarNode {
		if !c.checkNodeRef(n, f) {
			return nil, false
		}
		return &Edge{Branches: []Branch{{To: n.Value, ToPos: posOf(n)}}}, true
	}
	if n.Kind != yaml.SequenceNode {
		c.Errorf(posOf(n), CodeWrongType, "%q must be a node id or a list of {if, to}, got %s", f.Name, describe(n))
		return nil, false
	}
	edge, ok, sawDefault := &Edge{}, true, false
	for i, item := range n.Content {
		item = resolve(item)
		if key, cond := mappingEntry(item, "if"); cond != nil && isNull(cond) {
			c.Errorf(posOf(key), CodeMissingField, "`if` is empty; write a condition, or remove `if` to make this the default")
			ok = false
			continue
		}
		b := c.checkObject(item, branchFields, fmt.Sprintf("entry %d of %q", i+1, f.Name))
		if sawDefault {
			c.Errorf(b.Pos, CodeEdgeAfterDflt, "this entry of %q is never tried: an entry before it has no `if`; move the default to the end", f.Name)
			ok = false
			continue
		}
		sawDefault = !b.Has("if")
		if b.Get("to") == nil {
			ok = false
			continue
		}
		// A branch whose condition has an error is kept, so its target
		// does not look unreachable; the flow is invalid anyway.
		edge.Branches = append(edge.Branches, Branch{If: b.Expr("if"), To: b.String("to"), ToPos: b.ValuePos("to"), hasIf: b.Has("if")})
	}
	if ok && len(edge.Branches) > 0 && edge.Branches[len(edge.Branches)-1].hasIf {
		c.Warnf(posOf(n), CodeNoDefaultEdge, "when no condition of %q holds the dialog ends; add a last entry with only `to` to continue somewhere", f.Name)
	}
	if len(n.Content) == 0 {
		c.Errorf(posOf(n), CodeMissingField, "%q is an empty list; give a node id or at least one {if, to}", f.Name)
		return nil, false
	}
	return edge, len(edge.Branches) > 0
}

// branchFields are the fields of one entry of an edge list.
var branchFields = []*Field{
	NewField("if", TypeCondition, "Condition; the entry is taken when it holds. Omit it on the last entry.").Ex("topic == \"Billing\""),
	NewField("to", TypeNode, "The node to continue at.").Req().Ex("billing"),
}
