package flows

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// MaxFileSize bounds bot files; larger ones are refused before parsing.
const MaxFileSize = 1 << 20

// RootFields are the top-level fields of a bot file, for documentation and
// the schema. `variables` and `nodes` are checked by dedicated code.
func RootFields(lang *Language) []*Field {
	settings := *lang.Settings
	return []*Field{
		NewField("bot", TypeBot, "The bot's slug, unique in a project.").Req().Ex("support"),
		NewField("name", TypeString, "A human name for the bot.").Ex("Support desk"),
		NewField("description", TypeString, "What the bot is for."),
		&settings,
		MapField("variables", "Variables the flow reads and writes, with their types and defaults.", TypeString, variableField),
		NewField("start", TypeNode, "The node where a dialog starts; the first node when omitted.").Ex("greet"),
		MapField("nodes", "The nodes of the flow, by id.", TypeString, &Field{Name: "node", Type: TypeObject}),
	}
}

var variableField = ObjectField("variable", "A declared variable.",
	EnumField("type", "The variable's type.", VarTypes...).Def("string"),
	NewField("default", TypeAny, "The value a dialog starts with."),
	NewField("description", TypeString, "What the variable holds."),
)

// CommonNodeFields are the fields every node kind accepts besides its own.
var CommonNodeFields = []*Field{
	NewField("kind", TypeEnum, "The node kind.").Req(),
	ObjectField("ui", "Where the visual editor draws the node.",
		NewField("x", TypeNumber, "Horizontal position."),
		NewField("y", TypeNumber, "Vertical position.")),
	NewField("description", TypeString, "A note for flow authors."),
}

// Load reads a bot file and checks it against lang. It returns the flow (as
// much of it as could be read) and every problem found, in file order. The
// flow is usable only when the problems hold no errors.
func Load(file string, src []byte, lang *Language) (*Flow, Problems) {
	c := &Checker{Reporter: Reporter{file: file}, Flow: &Flow{File: file}, nodeIDs: map[string]bool{}}
	c.Flow.env = NewEnv(nil)
	if root := c.parse(src); root != nil {
		c.load(root, lang)
	}
	c.problems.Sort()
	return c.Flow, c.problems
}

// parse reads the YAML document, reporting syntax errors with their line.
func (c *Checker) parse(src []byte) (root *yaml.Node) {
	if len(src) > MaxFileSize {
		c.Errorf(Pos{}, CodeTooLarge, "the file is %d bytes; bot files may be at most %d", len(src), MaxFileSize)
		return nil
	}
	c.lines = splitLines(string(src))
	defer func() {
		if r := recover(); r != nil { // yaml.v3 may panic on some malformed input
			c.Errorf(Pos{}, CodeYAMLSyntax, "the file is not valid YAML: %v", r)
			root = nil
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			c.Errorf(Pos{}, CodeMissingField, "the file is empty; a bot file needs at least `bot` and `nodes`")
		} else {
			c.yamlError(err)
		}
		return nil
	}
	var next yaml.Node
	if err := dec.Decode(&next); err == nil {
		c.Errorf(posOf(&next), CodeUnsupportedYAML, "a bot file holds one YAML document; move this one to its own file")
	} else if !errors.Is(err, io.EOF) {
		c.yamlError(err)
	}
	if len(doc.Content) == 0 {
		return nil
	}
	root = resolve(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		c.Errorf(posOf(root), CodeWrongType, "a bot file must be a mapping with `bot`, `nodes` and other fields, got %s", describe(root))
		return nil
	}
	return root
}

// lineBreaks are what YAML counts as line breaks: CR LF, CR, LF, NEL, LS, PS.
var lineBreaks = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u0085", "\n", "\u2028", "\n", "\u2029", "\n")

// splitLines splits src into lines the way the YAML parser counts them.
func splitLines(src string) []string {
	return strings.Split(lineBreaks.Replace(src), "\n")
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlHint explains the YAML mistakes bot authors make most.
func yamlHint(msg string) string {
	switch {
	case strings.Contains(msg, "mapping values are not allowed"):
		return `; a value that contains ": " (like a ? : expression) must be quoted`
	case strings.Contains(msg, "found character that cannot start any token"):
		return "; indent with spaces, not tabs, and quote values that start with @ or `"
	case strings.Contains(msg, "did not find expected key"):
		return "; check the indentation of this line and the lines above"
	}
	return ""
}

func (c *Checker) yamlError(err error) {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		c.Errorf(Pos{Line: line, Column: 1}, CodeYAMLSyntax, "%s%s", m[2], yamlHint(m[2]))
		return
	}
	c.Errorf(Pos{}, CodeYAMLSyntax, "%s", strings.TrimPrefix(msg, "yaml: "))
}

// load checks the top-level fields: variables first (expressions need
// them), then node ids (edges need them), then everything else.
func (c *Checker) load(root *yaml.Node, lang *Language) {
	fields := RootFields(lang)
	top := map[string]pair{}
	var plain []pair // the fields checkObject handles
	for _, p := range c.pairs(root) {
		top[p.key.Value] = p
		if p.key.Value != "variables" && p.key.Value != "nodes" {
			plain = append(plain, p)
		}
	}
	if p, ok := top["variables"]; ok && !isNull(p.value) {
		c.loadVariables(p.value)
	}
	c.Flow.env = NewEnv(c.Flow.Variables)
	nodes := c.collectNodeIDs(top)
	rootObj := c.newObject(root, fields)
	c.fillObject(rootObj, plain, fields, "a bot file")
	c.Flow.Bot, c.Flow.Name, c.Flow.Description = rootObj.String("bot"), rootObj.String("name"), rootObj.String("description")
	c.Flow.Settings = rootObj.Object("settings")
	c.Flow.Start = rootObj.String("start")
	c.loadNodes(nodes, lang)
	if lang.CheckSettings != nil && c.Flow.Settings != nil { // after the nodes: settings may name them
		lang.CheckSettings(c, c.Flow.Settings)
	}
	if !rootObj.Has("start") && len(nodes) > 0 {
		c.Flow.Start = nodes[0].key.Value
	}
	if len(nodes) == 0 && c.Flow.Settings.Object("ai") == nil {
		c.Errorf(posOf(root), CodeNoNodes, "the bot has no `nodes` and no `settings.ai`; add nodes, or settings for a bot that only talks to the model")
	}
	c.checkGraph()
}

// collectNodeIDs returns the `nodes` mapping's entries and records their ids.
func (c *Checker) collectNodeIDs(top map[string]pair) []pair {
	p, ok := top["nodes"]
	if !ok || isNull(p.value) {
		return nil
	}
	if p.value.Kind != yaml.MappingNode {
		c.Errorf(posOf(p.value), CodeWrongType, "`nodes` must be a mapping from node ids to nodes, got %s", describe(p.value))
		return nil
	}
	nodes := c.pairs(p.value)
	for _, n := range nodes {
		if !nodeIDPattern.MatchString(n.key.Value) {
			c.Errorf(posOf(n.key), CodeInvalidID, "node id %q must start with a lowercase letter and hold only lowercase letters, digits and _", n.key.Value)
			continue
		}
		c.nodeIDs[n.key.Value] = true
	}
	return nodes
}

func (c *Checker) loadVariables(n *yaml.Node) {
	if n.Kind != yaml.MappingNode {
		c.Errorf(posOf(n), CodeWrongType, "`variables` must be a mapping from names to {type, default}, got %s", describe(n))
		return
	}
	for _, p := range c.pairs(n) {
		name := p.key.Value
		switch {
		case !varNamePattern.MatchString(name):
			c.Errorf(posOf(p.key), CodeInvalidID, "variable name %q must start with a letter or _ and hold only letters, digits and _", name)
			continue
		case isReserved(name):
			c.Errorf(posOf(p.key), CodeReservedName, "%q is a built-in name in expressions; pick another variable name", name)
			continue
		}
		v := &Variable{Name: name, Pos: posOf(p.key), Type: VarString}
		if !isNull(p.value) {
			obj := c.checkObject(p.value, variableField.Fields, fmt.Sprintf("variable %q", name))
			v.Type, v.Description = VarType(obj.String("type")), obj.String("description")
			if obj.Has("default") && obj.Get("default") != nil {
				v.Default, v.HasDefault = obj.Any("default"), true
				c.checkDefault(v, obj.ValuePos("default"))
			}
		}
		c.Flow.addVariable(v)
	}
}

// checkDefault reports a default value that does not fit the variable's type.
func (c *Checker) checkDefault(v *Variable, pos Pos) {
	if v.Default == nil || Fits(v.Type, v.Default) {
		return
	}
	c.Errorf(pos, CodeTypeMismatch, "the default of %q must be of type %s, got %s", v.Name, v.Type, FormatValue(v.Default))
}

// Fits reports whether a plain Go value may be stored in a variable of type t.
func Fits(t VarType, v any) bool {
	switch t {
	case VarString:
		_, ok := v.(string)
		return ok
	case VarNumber:
		switch v.(type) {
		case int, int64, float64:
			return true
		}
		return false
	case VarInteger:
		switch v.(type) {
		case int, int64:
			return true
		}
		return false
	case VarBoolean:
		_, ok := v.(bool)
		return ok
	case VarObject:
		_, ok := v.(map[string]any)
		return ok
	case VarList:
		_, ok := v.([]any)
		return ok
	}
	return true
}
