package storetest

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley/store"
)

func testChannels(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, other := newProject(t, s), newProject(t, s)
	bot := newBot(t, s, p.ID)
	c := &store.Channel{ProjectID: p.ID, BotID: bot.ID, Kind: store.ChannelWidget, Name: " Site ",
		AllowedOrigins: []string{"https://Example.com", "http://localhost:3000/", "https://example.com"}}
	noErr(t, s.CreateChannel(ctx, c))
	if c.ID == 0 || !strings.HasPrefix(c.SiteToken, "st_") || len(c.SiteToken) < 30 || c.Name != "Site" {
		t.Fatalf("CreateChannel: %+v", c)
	}
	same(t, "origins", c.AllowedOrigins, []string{"https://example.com", "http://localhost:3000"})
	inUTC(t, "CreatedAt", c.CreatedAt)
	if !c.Allows("https://example.com") || c.Allows("https://evil.example") {
		t.Error("Allows does not follow the origins")
	}

	got, err := s.ChannelBySiteToken(ctx, c.SiteToken)
	noErr(t, err)
	same(t, "by site token", got, c)
	got, err = s.Channel(ctx, p.ID, c.ID)
	noErr(t, err)
	same(t, "by id", got, c)
	list, err := s.BotChannels(ctx, p.ID, bot.ID)
	noErr(t, err)
	same(t, "the bot's channels", list, []store.Channel{*c})

	_, err = s.Channel(ctx, other.ID, c.ID)
	wantCode(t, err, store.ENOTFOUND)
	list, err = s.BotChannels(ctx, other.ID, bot.ID)
	noErr(t, err)
	same(t, "another project's list", list, []store.Channel{})
	_, err = s.ChannelBySiteToken(ctx, "st_nope")
	wantCode(t, err, store.ENOTFOUND)

	// A widget's origins change in place: its site token stays.
	moved := *c
	moved.AllowedOrigins = []string{"https://Shop.example/"}
	noErr(t, s.UpdateChannel(ctx, &moved))
	got, err = s.ChannelBySiteToken(ctx, c.SiteToken)
	noErr(t, err)
	same(t, "the updated origins", got.AllowedOrigins, []string{"https://shop.example"})
	moved.AllowedOrigins = []string{"ftp://a.com"}
	wantCode(t, s.UpdateChannel(ctx, &moved), store.EINVALID)
	got, err = s.Channel(ctx, p.ID, c.ID)
	noErr(t, err)
	same(t, "origins after a refused update", got.AllowedOrigins, []string{"https://shop.example"})
	moved.AllowedOrigins = c.AllowedOrigins
	noErr(t, s.UpdateChannel(ctx, &moved))
	c.UpdatedAt = moved.UpdatedAt

	for _, bad := range []store.Channel{
		{ProjectID: p.ID, BotID: bot.ID, Kind: "telegram", AllowedOrigins: []string{"https://a.com"}},
		{ProjectID: p.ID, BotID: bot.ID, Kind: store.ChannelWidget},
		{ProjectID: p.ID, BotID: bot.ID, Kind: store.ChannelWidget, AllowedOrigins: []string{"example.com"}},
		{ProjectID: p.ID, BotID: bot.ID, Kind: store.ChannelWidget, AllowedOrigins: []string{"https://a.com/page"}},
		{ProjectID: p.ID, BotID: bot.ID, Kind: store.ChannelWidget, AllowedOrigins: []string{"ftp://a.com"}},
		{ProjectID: p.ID, BotID: bot.ID, Kind: store.ChannelWidget, AllowedOrigins: []string{"*"}},
	} {
		wantCode(t, s.CreateChannel(ctx, &bad), store.EINVALID)
	}
	wantCode(t, s.CreateChannel(ctx, &store.Channel{ProjectID: other.ID, BotID: bot.ID, Kind: store.ChannelWidget,
		AllowedOrigins: []string{"https://a.com"}}), store.ENOTFOUND)

	wantCode(t, s.DeleteChannel(ctx, other.ID, c.ID), store.ENOTFOUND)
	noErr(t, s.DeleteChannel(ctx, p.ID, c.ID))
	_, err = s.ChannelBySiteToken(ctx, c.SiteToken)
	wantCode(t, err, store.ENOTFOUND)
}
