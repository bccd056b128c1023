package nodes

import (
	"regexp"
	"time"

	"github.com/parleyhq/parley/flows"
	"github.com/parleyhq/parley/netguard"
)

// Block calls a custom external service (Bot.one-style) and waits until it
// completes the block, or, with Wait false, uses its response at once.
type Block struct {
	URL       string
	Payload   *flows.Value // templated: strings inside are templates
	Headers   map[string]*flows.Template
	Timeout   time.Duration
	Save      string
	Wait      bool
	OnTimeout string
	OnError   string
	Next      *flows.Edge
}

// Default timeouts: how long a service may take to complete a block, and
// how long a synchronous call may take.
const (
	DefaultBlockTimeout = 10 * time.Minute
	DefaultCallTimeout  = 30 * time.Second
)

var headerName = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

var blockKind = kind[Block]{
	spec: &flows.KindSpec{
		Name:    "block",
		Summary: "Calls a custom external service with a one-time token and waits until it completes the block; waits for the service.",
		Fields: []*flows.Field{
			flows.NewField("url", flows.TypeURL, "The service's endpoint; it receives {token, dialog, node, variables, data} and the payload.").Req().Ex("https://orders.example.com/parley/track"),
			flows.NewField("payload", flows.TypeTemplated, "Extra JSON sent to the service; strings are templates.").Ex(map[string]any{"order": "{{ order_id }}"}),
			flows.MapField("headers", "Extra HTTP headers; values are templates.", flows.TypeString,
				flows.NewField("value", flows.TypeTemplate, "The header value.")).Ex(map[string]any{"X-Api-Key": "secret"}),
			flows.NewField("timeout", flows.TypeDuration, "How long the service may take: 10m by default, 30s for a call with wait: false.").Ex("2m"),
			saveField("The variable that receives the block's data."),
			flows.NewField("wait", flows.TypeBool, "Wait for the service to complete the block; false uses the HTTP response as the data.").Def(true),
			onTimeoutField(),
			onErrorField(),
			nextField(),
		},
	},
	decode: decodeBlock,
	pauses: func(b *Block) bool { return b.Wait },
}

func decodeBlock(n *flows.Node, c *flows.Checker) *Block {
	f := n.Fields
	b := &Block{
		URL: f.String("url"), Payload: f.Get("payload"), Timeout: f.Duration("timeout"), Save: f.String("save"),
		Wait: f.Bool("wait"), OnTimeout: f.String("on_timeout"), OnError: f.String("on_error"), Next: f.Edge("next"),
	}
	if b.Timeout == 0 {
		b.Timeout = map[bool]time.Duration{true: DefaultBlockTimeout, false: DefaultCallTimeout}[b.Wait]
	}
	checkServiceURL(c, f, "url")
	if h := f.Object("headers"); h != nil {
		b.Headers = map[string]*flows.Template{}
		for _, name := range h.Keys {
			if !headerName.MatchString(name) {
				c.Errorf(h.PosOf(name), flows.CodeInvalidValue, "%q is not a valid HTTP header name", name)
				continue
			}
			b.Headers[name] = h.Template(name)
		}
	}
	if !b.Wait && f.Has("on_timeout") {
		c.Errorf(f.PosOf("on_timeout"), flows.CodeUnusedField, "\"on_timeout\" has no effect with \"wait: false\"; a failed call follows \"on_error\"")
	}
	return b
}

// checkServiceURL reports what can be told of a service's URL (a block's,
// a url tool's) when the bot loads. An IP address written otherwise than
// a.b.c.d (127.1, 2130706433) is an error: resolvers disagree on where it
// goes. An internal address or a localhost name is a warning: the server
// refuses the call unless PARLEY_ALLOW_PRIVATE_URLS allows the address,
// which only the server knows (and which tests and local setups use).
// Names are checked when the call is made, as are addresses.
func checkServiceURL(c *flows.Checker, o *flows.Object, field string) {
	raw := o.String(field)
	if raw == "" || o.Get(field) == nil {
		return
	}
	if _, err := netguard.ParseURL(raw); err != nil {
		c.Errorf(o.ValuePos(field), flows.CodeBadURL, "%q: %s", field, netguard.Reason(err))
		return
	}
	if _, err := (netguard.Policy{}).Precheck(raw); err != nil {
		c.Warnf(o.ValuePos(field), flows.CodeBadURL, "%q: calls to it are refused unless the server allows it: %s", field, netguard.Reason(err))
	}
}
