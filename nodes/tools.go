package nodes

import (
	"regexp"
	"slices"

	"github.com/parleyhq/parley/flows"
)

// ToolDef is a tool declared in the flow's settings.tools: the model may
// call it (when settings.ai.tools names it) and Parley runs it by POSTing
// the arguments to URL, or by calling the service of the block node Block.
type ToolDef struct {
	Name        string
	Description string
	Parameters  map[string]any // JSON Schema of the arguments
	URL         string
	Block       string
}

// toolName is what OpenAI-compatible APIs accept as a function name.
var toolName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

func toolsDefField() *flows.Field {
	return flows.MapField("tools", "Tools declared for the model, by name; settings.ai.tools says which a bot may call and who approves.", flows.TypeString,
		flows.ObjectField("tool", "A tool the model can call.",
			flows.NewField("description", flows.TypeString, "What the tool does, for the model.").Req().NotEmpty().Ex("Look up the status of an order."),
			flows.NewField("parameters", flows.TypeAny, "The JSON Schema of the arguments.").Ex(map[string]any{"type": "object", "properties": map[string]any{"order_id": map[string]any{"type": "string"}}}),
			flows.NewField("url", flows.TypeURL, "An endpoint that gets the arguments as a JSON POST body and answers the result.").Ex("https://shop.example.com/tools/order-status"),
			flows.NewField("block", flows.TypeNode, "A block node whose service gets the arguments; the result is its response (wait: false) or the data it completes the block with.").Ex("lookup_order"),
		)).Ex(map[string]any{"order_status": map[string]any{"description": "Look up an order.", "url": "https://shop.example.com/tools/order-status"}})
}

// decodeToolDefs reads settings.tools and checks each declaration.
func decodeToolDefs(c *flows.Checker, obj *flows.Object) []ToolDef {
	if obj == nil {
		return nil
	}
	var out []ToolDef
	for _, name := range obj.Keys {
		t := obj.Object(name)
		if t == nil {
			continue
		}
		def := ToolDef{Name: name, Description: t.String("description"), URL: t.String("url"), Block: t.String("block")}
		switch {
		case !toolName.MatchString(name):
			c.Errorf(obj.PosOf(name), flows.CodeInvalidValue, "tool name %q may only have letters, digits, _ and -, at most 64", name)
		case slices.Contains(builtinTools, name):
			c.Errorf(obj.PosOf(name), flows.CodeInvalidValue, "%q is a built-in tool; give your tool another name", name)
		}
		if (def.URL == "") == (def.Block == "") && !t.Invalid("url") && !t.Invalid("block") {
			c.Errorf(obj.PosOf(name), flows.CodeInvalidValue, "tool %q needs exactly one of \"url\" or \"block\"", name)
		}
		checkServiceURL(c, t, "url")
		def.Parameters = toolParameters(c, t)
		checkToolBlock(c, t, def.Block)
		out = append(out, def)
	}
	return out
}

// toolParameters reads a tool's JSON Schema; no parameters is an object
// without properties.
func toolParameters(c *flows.Checker, t *flows.Object) map[string]any {
	v := t.Get("parameters")
	if v == nil {
		return map[string]any{"type": "object", "properties": map[string]any{}}
	}
	schema, ok := v.Any.(map[string]any)
	if !ok || (schema["type"] != nil && schema["type"] != "object") {
		c.Errorf(v.Pos, flows.CodeWrongType, "\"parameters\" must be a JSON Schema of an object, like {type: object, properties: {order_id: {type: string}}}")
		return nil
	}
	return schema
}

// checkToolBlock: a tool's block must be a block node. Its service gets
// the arguments; with wait: false the response is the result, otherwise
// the data the service completes the block with.
func checkToolBlock(c *flows.Checker, t *flows.Object, id string) {
	if id == "" || c.Flow == nil {
		return
	}
	c.MarkEntry(id)
	n := c.Flow.Node(id)
	if n == nil {
		return // reported as an unknown node
	}
	if n.Kind != blockKind.spec.Name {
		c.Errorf(t.ValuePos("block"), flows.CodeInvalidValue, "node %q is not a block node (it is %s); a tool's \"block\" must be one", id, n.Kind)
	}
}

// ToolDefs returns the tools a flow declares.
func ToolDefs(f *flows.Flow) []ToolDef {
	c := &flows.Checker{Flow: f} // problems were reported when the flow loaded
	return decodeToolDefs(c, f.Settings.Object("tools"))
}

// FindTool returns the declared tool named name, or nil.
func FindTool(f *flows.Flow, name string) *ToolDef {
	for _, t := range ToolDefs(f) {
		if t.Name == name {
			return &t
		}
	}
	return nil
}
