package rules

import (
	"net/url"
	"slices"
	"strings"

	"github.com/parleyhq/parley/store"
)

// Channel normalises a channel (origins as scheme://host[:port], lower
// case, without repeats) and returns EINVALID for a bad kind or origin.
func Channel(c store.Channel) (store.Channel, error) {
	c.Name = Clean(strings.TrimSpace(c.Name))
	if c.Status == "" {
		c.Status = store.ChannelActive
	}
	if c.Settings == nil {
		c.Settings = map[string]any{}
	}
	switch {
	case c.Status != store.ChannelActive && c.Status != store.ChannelDisabled && c.Status != store.ChannelError:
		return c, store.FieldErrorf(store.EINVALID, "status", "The channel status is active, disabled or error, got %q.", c.Status)
	case c.Kind == store.ChannelAPI:
		return c, store.FieldErrorf(store.EINVALID, "kind", "Every bot has its API channel already; make a widget or an integration's channel.")
	case c.Kind == "":
		return c, store.FieldErrorf(store.EINVALID, "kind", "Name the channel's kind: widget, or an integration's vendor such as telegram.")
	case c.Kind != store.ChannelWidget && c.IntegrationID == 0:
		return c, store.FieldErrorf(store.EINVALID, "integration_id", "A %s channel needs the integration whose credentials it uses.", c.Kind)
	case c.Kind != store.ChannelWidget:
		c.AllowedOrigins = []string{}
		return c, nil
	}
	if len(c.AllowedOrigins) == 0 {
		return c, store.FieldErrorf(store.EINVALID, "allowed_origins",
			"List the sites the widget may run on, as origins such as https://example.com.")
	}
	var origins []string
	for _, o := range c.AllowedOrigins {
		norm, err := Origin(o)
		if err != nil {
			return c, err
		}
		if !slices.Contains(origins, norm) {
			origins = append(origins, norm)
		}
	}
	c.AllowedOrigins = origins
	return c, nil
}

// Origin is a web origin as browsers send it in the Origin header:
// scheme://host[:port], lower case; EINVALID for anything else.
func Origin(o string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(o))
	bad := err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != ""
	if bad {
		return "", store.FieldErrorf(store.EINVALID, "allowed_origins",
			"%q is not an origin; write the scheme, host and port only, as https://example.com or http://localhost:3000.", o)
	}
	return strings.ToLower(u.Scheme + "://" + u.Host), nil
}
