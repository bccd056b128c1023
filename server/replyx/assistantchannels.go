package replyx

import (
	"context"
	"net/url"
	"strings"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/telegram"
)

// origins are allowed_domains as the widget channel's origins: a bare
// domain ("example.com") is its https origin; a full origin
// ("http://localhost:3000") is kept.
func origins(domains []string) ([]string, error) {
	out := make([]string, 0, len(domains))
	for _, d := range domains {
		d = strings.TrimSpace(d)
		if !strings.Contains(d, "://") {
			d = "https://" + d
		}
		u, err := url.Parse(d)
		if err != nil || u.Host == "" || strings.ContainsAny(u.Host, " *") || (u.Path != "" && u.Path != "/") {
			return nil, store.FieldErrorf(store.EINVALID, "allowed_domains",
				"%q is not a domain; give domains as example.com, or origins as http://localhost:3000.", d)
		}
		out = append(out, u.Scheme+"://"+u.Host)
	}
	return out, nil
}

// domains are a widget channel's origins as allowed_domains: an https
// origin is its host, others are shown whole.
func domains(origins []string) []string {
	out := make([]string, 0, len(origins))
	for _, o := range origins {
		out = append(out, strings.TrimPrefix(o, "https://"))
	}
	return out
}

// applyWebsite makes, changes or removes b's widget channel as the
// request says: website_integration false removes it; true, or
// allowed_domains alone on an assistant that has one, sets its origins.
// Its site token stays the same across changes.
func (h *handlers) applyWebsite(ctx context.Context, b *store.Bot, req *assistantRequest) error {
	if req.WebsiteIntegration == nil && req.AllowedDomains == nil {
		return nil
	}
	widget, err := h.channel(ctx, b, store.ChannelWidget)
	if err != nil {
		return err
	}
	on := widget != nil
	if req.WebsiteIntegration != nil {
		on = *req.WebsiteIntegration
	}
	switch {
	case !on && widget != nil:
		return h.Store.DeleteChannel(ctx, b.ProjectID, widget.ID)
	case !on:
		return nil
	}
	var allowed []string
	if req.AllowedDomains != nil {
		if allowed, err = origins(*req.AllowedDomains); err != nil {
			return err
		}
	}
	if len(allowed) == 0 && widget == nil {
		return store.FieldErrorf(store.EINVALID, "allowed_domains",
			"A website integration runs only on the sites you name: give allowed_domains, e.g. [\"example.com\"].")
	}
	if widget == nil {
		return h.Store.CreateChannel(ctx, &store.Channel{ProjectID: b.ProjectID, BotID: b.ID, Kind: store.ChannelWidget,
			Name: b.Name, AllowedOrigins: allowed})
	}
	if req.AllowedDomains == nil {
		return nil
	}
	widget.AllowedOrigins = allowed
	return h.Store.UpdateChannel(ctx, widget)
}

// channel is b's first channel of a kind, nil when it has none.
func (h *handlers) channel(ctx context.Context, b *store.Bot, kind string) (*store.Channel, error) {
	chs, err := h.Store.BotChannels(ctx, b.ProjectID, b.ID)
	if err != nil {
		return nil, err
	}
	for i := range chs {
		if chs[i].Kind == kind {
			return &chs[i], nil
		}
	}
	return nil, nil
}

// applyTelegram connects the Telegram bot of token to b in place of the
// one it has; "" disconnects it. The same token again changes nothing.
// me is the token's bot when it was checked already, else nil.
func (h *handlers) applyTelegram(ctx context.Context, b *store.Bot, token string, me *telegram.User) error {
	tg := h.telegram()
	old, err := h.telegramIntegration(ctx, b)
	if err != nil {
		return err
	}
	if old != nil {
		if current, err := tg.Token(old); err == nil && current == token {
			return nil
		}
	}
	if token == "" {
		if old == nil {
			return nil
		}
		return tg.Disconnect(ctx, old)
	}
	if old != nil {
		_, err = tg.Replace(ctx, b, old, token, me, "telegram_bot_token")
		return err
	}
	_, err = tg.Connect(ctx, b, token, me, "telegram_bot_token")
	return err
}

// telegramIntegration is the integration of b's Telegram channel, nil
// when it has none.
func (h *handlers) telegramIntegration(ctx context.Context, b *store.Bot) (*store.Integration, error) {
	ch, err := h.channel(ctx, b, store.ChannelTelegram)
	if err != nil || ch == nil {
		return nil, err
	}
	return h.Store.Integration(ctx, b.ProjectID, ch.IntegrationUUID)
}

// disconnectTelegram removes in, or when nil b's Telegram integration if
// it has one.
func (h *handlers) disconnectTelegram(ctx context.Context, b *store.Bot, in *store.Integration) error {
	if in == nil {
		var err error
		if in, err = h.telegramIntegration(ctx, b); err != nil || in == nil {
			return err
		}
	}
	return h.telegram().Disconnect(ctx, in)
}

// showTelegram fills in an assistant's Telegram token, masked, and its
// bot's username from the integration of its Telegram channel.
func (h *handlers) showTelegram(ctx context.Context, ch *store.Channel, out *assistantJSON) {
	in, err := h.Store.Integration(ctx, ch.ProjectID, ch.IntegrationUUID)
	if err != nil {
		return
	}
	if token, err := h.telegram().Token(in); err == nil {
		masked := telegram.Masked(token)
		out.TelegramBotToken = &masked
	}
	if name, _ := in.Settings[telegram.UsernameSetting].(string); name != "" {
		out.TelegramBotUsername = &name
	}
}
