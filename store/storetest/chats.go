package storetest

import (
	"testing"
	"time"

	"github.com/parleyhq/parley/store"
)

// testChats covers what Worken's chats and threads read: every bot's API
// channel, dialogs of a channel, lookups by external id, deletion and
// message counts.
func testChats(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, other := newProject(t, s), newProject(t, s)
	bot := newBot(t, s, p.ID)

	api, err := s.APIChannel(ctx, p.ID, bot.ID)
	noErr(t, err)
	if api.Kind != store.ChannelAPI || api.UUID == "" || api.Status != store.ChannelActive || api.BotID != bot.ID {
		t.Fatalf("a new bot's API channel: %+v", api)
	}
	_, err = s.APIChannel(ctx, other.ID, bot.ID)
	wantCode(t, err, store.ENOTFOUND)
	wantCode(t, s.CreateChannel(ctx, &store.Channel{ProjectID: p.ID, BotID: bot.ID, Kind: store.ChannelAPI}), store.EINVALID)
	wantCode(t, s.DeleteChannel(ctx, p.ID, api.ID), store.ENOTFOUND)
	list, err := s.BotChannels(ctx, p.ID, bot.ID)
	noErr(t, err)
	same(t, "BotChannels leaves the API channel out", list, []store.Channel{})

	widget := &store.Channel{ProjectID: p.ID, BotID: bot.ID, Kind: store.ChannelWidget, AllowedOrigins: []string{"https://a.com"}}
	noErr(t, s.CreateChannel(ctx, widget))
	list, err = s.ProjectChannels(ctx, p.ID)
	noErr(t, err)
	same(t, "the project's channels", ids(list), []string{api.UUID, widget.UUID})
	got, err := s.ChannelByUUID(ctx, p.ID, widget.UUID)
	noErr(t, err)
	same(t, "by uuid", got, widget)
	for _, id := range []string{"nope", api.UUID} {
		_, err = s.ChannelByUUID(ctx, other.ID, id)
		wantCode(t, err, store.ENOTFOUND)
	}
	_, err = s.ChannelBySiteToken(ctx, api.SiteToken)
	wantCode(t, err, store.ENOTFOUND) // only a widget's site token opens a widget

	// A dialog created without a channel is its bot's API channel's.
	d1 := newDialog(t, s, p.ID, bot.ID)
	same(t, "a dialog's channel", d1.ChannelID, api.ID)
	d2 := &store.Dialog{ProjectID: p.ID, Source: "web", ChannelID: widget.ID, ExternalID: "t-1",
		DialogState: store.DialogState{BotID: bot.ID, Version: 1, Status: store.StatusCreated, Mode: store.ModeAuto}}
	noErr(t, s.CreateDialog(ctx, d2))
	bad := &store.Dialog{ProjectID: other.ID, ChannelID: widget.ID, DialogState: store.DialogState{Status: store.StatusCreated, Mode: store.ModeAuto}}
	wantCode(t, s.CreateDialog(ctx, bad), store.ENOTFOUND)
	page, _, err := s.ListDialogs(ctx, p.ID, store.DialogFilter{ChannelID: widget.ID})
	noErr(t, err)
	same(t, "the widget's dialogs", dialogIDs(page), []int64{d2.ID})
	for kind, want := range map[string][]int64{store.ChannelWidget: {d2.ID}, store.ChannelAPI: {d1.ID}, store.ChannelTelegram: {}} {
		page, _, err := s.ListDialogs(ctx, p.ID, store.DialogFilter{ChannelKind: kind})
		noErr(t, err)
		same(t, "the dialogs of "+kind+" channels", dialogIDs(page), want)
	}
	page, _, err = s.ListDialogs(ctx, p.ID, store.DialogFilter{Ended: true})
	noErr(t, err)
	same(t, "ended dialogs (none yet)", dialogIDs(page), []int64{})

	got2, err := s.DialogByExternalID(ctx, p.ID, widget.ID, "t-1")
	noErr(t, err)
	same(t, "by external id", got2.ID, d2.ID)
	for _, c := range []struct {
		project, channel int64
	}{{p.ID, api.ID}, {other.ID, 0}} {
		_, err = s.DialogByExternalID(ctx, c.project, c.channel, "t-1")
		wantCode(t, err, store.ENOTFOUND)
	}

	now := time.Now()
	noErr(t, s.AppendMessages(ctx, []store.Message{message(d2, 1, "hi"), message(d2, 2, "hello"), message(d2, 3, "how")}))
	stats, err := s.MessageStats(ctx, []int64{d1.ID, d2.ID})
	noErr(t, err)
	if _, ok := stats[d1.ID]; ok || stats[d2.ID].Total != 3 || stats[d2.ID].ByRole[store.MessageAssistant] != 3 || !stats[d2.ID].LastAt.Equal(at(3)) ||
		stats[d2.ID].LastText != "how" {
		t.Errorf("MessageStats: %+v", stats)
	}
	events, err := s.ChannelEvents(ctx, p.ID, now.Add(-time.Hour))
	noErr(t, err)
	if events[widget.ID] < 1 || events[api.ID] < 1 {
		t.Errorf("ChannelEvents: %v (each channel has a dialog.created at least)", events)
	}

	wantCode(t, s.DeleteDialog(ctx, other.ID, d2.ID), store.ENOTFOUND)
	noErr(t, s.DeleteDialog(ctx, p.ID, d2.ID))
	wantCode(t, s.DeleteDialog(ctx, p.ID, d2.ID), store.ENOTFOUND)
	_, err = s.Dialog(ctx, p.ID, d2.UUID)
	wantCode(t, err, store.ENOTFOUND)
	_, err = s.DialogByExternalID(ctx, p.ID, 0, "t-1")
	wantCode(t, err, store.ENOTFOUND)
	// A write of the deleted dialog's still on its way (a workflow's late
	// persist) brings nothing back; another dialog's in the same turn is kept.
	noErr(t, s.SaveTurn(ctx, store.Turn{Messages: []store.Message{message(d2, 2, "hello"), message(d2, 4, "late"), message(d1, 1, "kept")}}))
	msgs, err := s.Messages(ctx, d2.ID)
	noErr(t, err)
	same(t, "a deleted dialog's messages", len(msgs), 0)
	d1msgs, err := s.Messages(ctx, d1.ID)
	noErr(t, err)
	same(t, "another dialog's message in the same turn", len(d1msgs), 1)
	page, _, err = s.ListDialogs(ctx, p.ID, store.DialogFilter{})
	noErr(t, err)
	same(t, "the list without the deleted dialog", dialogIDs(page), []int64{d1.ID})
	page, _, err = s.ListDialogs(ctx, p.ID, store.DialogFilter{Text: "hello"})
	noErr(t, err)
	same(t, "a search without the deleted dialog", dialogIDs(page), []int64{})

	// A channel with dialogs goes; its dialogs stay, of no channel.
	d3 := &store.Dialog{ProjectID: p.ID, Source: "web", ChannelID: widget.ID,
		DialogState: store.DialogState{BotID: bot.ID, Version: 1, Status: store.StatusCreated, Mode: store.ModeAuto}}
	noErr(t, s.CreateDialog(ctx, d3))
	noErr(t, s.DeleteChannel(ctx, p.ID, widget.ID))
	kept, err := s.Dialog(ctx, p.ID, d3.UUID)
	noErr(t, err)
	same(t, "a deleted channel's dialog's channel", kept.ChannelID, int64(0))

	noErr(t, s.DeleteBot(ctx, p.ID, bot.ID))
	list, err = s.ProjectChannels(ctx, p.ID)
	noErr(t, err)
	same(t, "a deleted bot's channels", list, []store.Channel{})
}

func ids(cs []store.Channel) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.UUID)
	}
	return out
}

func dialogIDs(ds []store.Dialog) []int64 {
	out := []int64{}
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}
