package storetest

import (
	"testing"

	"github.com/parleyhq/parley/store"
)

// testIntegrations covers integrations and their chats: create, read,
// update, project isolation, auth lost with its event, the relay cursor,
// and deletion with the chats (their dialogs stay, in no chat).
func testIntegrations(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, other := newProject(t, s), newProject(t, s)
	bot := newBot(t, s, p.ID)

	for name, in := range map[string]store.Integration{
		"no name":        {ProjectID: p.ID, Vendor: "telegram"},
		"unknown vendor": {ProjectID: p.ID, Name: "x", Vendor: "icq"},
		"bad status":     {ProjectID: p.ID, Name: "x", Vendor: "vk", Status: "on"},
	} {
		t.Run(name, func(t *testing.T) { wantCode(t, s.CreateIntegration(ctx, &in), store.EINVALID) })
	}
	in := &store.Integration{ProjectID: p.ID, Name: " Support bot ", Vendor: "telegram", AuthData: "v1:sealed"}
	noErr(t, s.CreateIntegration(ctx, in))
	if in.UUID == "" || in.Status != store.IntegrationActive || in.Name != "Support bot" || in.Settings == nil {
		t.Fatalf("created: %+v", in)
	}
	got, err := s.Integration(ctx, p.ID, in.UUID)
	noErr(t, err)
	same(t, "read back", got, in)
	for _, c := range []struct {
		project int64
		id      string
	}{{other.ID, in.UUID}, {p.ID, "nope"}, {p.ID, "7f1c2d4e-0000-4000-8000-000000000000"}} {
		_, err = s.Integration(ctx, c.project, c.id)
		wantCode(t, err, store.ENOTFOUND)
	}
	anyp, err := s.IntegrationOfAnyProject(ctx, in.UUID)
	noErr(t, err)
	same(t, "of any project", anyp.ID, in.ID)
	_, err = s.IntegrationOfAnyProject(ctx, "nope")
	wantCode(t, err, store.ENOTFOUND)
	amo := &store.Integration{ProjectID: p.ID, Name: "CRM", Vendor: "amocrm", AuthData: "v1:other"}
	noErr(t, s.CreateIntegration(ctx, amo))
	all, err := s.ProjectIntegrations(ctx, p.ID)
	noErr(t, err)
	same(t, "listed", []string{all[0].UUID, all[1].UUID}, []string{in.UUID, amo.UUID})
	none, err := s.ProjectIntegrations(ctx, other.ID)
	noErr(t, err)
	same(t, "another project's", len(none), 0)
	theirs := &store.Integration{ProjectID: other.ID, Name: "Their bot", Vendor: "telegram", AuthData: "v1:theirs"}
	noErr(t, s.CreateIntegration(ctx, theirs))
	telegrams, err := s.VendorIntegrations(ctx, "telegram")
	noErr(t, err)
	same(t, "every project's Telegram integrations", pluck(telegrams, func(i store.Integration) string { return i.UUID }),
		[]string{in.UUID, theirs.UUID})
	noErr(t, s.DeleteIntegration(ctx, other.ID, theirs.ID))

	in.Name, in.Status, in.AuthData, in.Settings = "Renamed", store.IntegrationDisabled, "v1:new", map[string]any{"a": "b"}
	noErr(t, s.UpdateIntegration(ctx, in))
	got, err = s.Integration(ctx, p.ID, in.UUID)
	noErr(t, err)
	same(t, "updated", got, in)
	stranger := *in
	stranger.ProjectID = other.ID
	wantCode(t, s.UpdateIntegration(ctx, &stranger), store.ENOTFOUND)

	// Auth lost: marked error once, with one event.
	in.Status = store.IntegrationActive
	noErr(t, s.UpdateIntegration(ctx, in))
	lost, err := s.IntegrationAuthLost(ctx, p.ID, in.ID, "Unauthorized")
	noErr(t, err)
	again, err := s.IntegrationAuthLost(ctx, p.ID, in.ID, "Unauthorized")
	noErr(t, err)
	same(t, "lost, then already lost", []bool{lost, again}, []bool{true, false})
	evs, err := s.Events(ctx, p.ID, store.EventFilter{Types: []string{store.EventIntegrationAuthLost}})
	noErr(t, err)
	if len(evs) != 1 || evs[0].Data.Extra["integration_id"] != in.UUID || evs[0].Data.Extra["vendor"] != "telegram" {
		t.Fatalf("auth lost events: %+v", evs)
	}
	got, err = s.Integration(ctx, p.ID, in.UUID)
	noErr(t, err)
	same(t, "status after auth lost", got.Status, store.IntegrationError)
	_, err = s.IntegrationAuthLost(ctx, other.ID, in.ID, "x")
	wantCode(t, err, store.ENOTFOUND)

	// The relay cursor starts at the log's end and only moves forward.
	fresh := &store.Integration{ProjectID: p.ID, Name: "Later", Vendor: "vk"}
	noErr(t, s.CreateIntegration(ctx, fresh))
	same(t, "a new integration's cursor", fresh.OutSeq, evs[0].Seq)
	noErr(t, s.SetIntegrationOutSeq(ctx, p.ID, fresh.ID, fresh.OutSeq+5))
	noErr(t, s.SetIntegrationOutSeq(ctx, p.ID, fresh.ID, fresh.OutSeq+2))
	got, err = s.Integration(ctx, p.ID, fresh.UUID)
	noErr(t, err)
	same(t, "cursor", got.OutSeq, fresh.OutSeq+5)
	wantCode(t, s.SetIntegrationOutSeq(ctx, other.ID, fresh.ID, 99), store.ENOTFOUND)

	// Chats of the integration.
	chat := &store.Channel{ProjectID: p.ID, BotID: bot.ID, Kind: "telegram", Name: "TG", IntegrationID: in.ID}
	noErr(t, s.CreateChannel(ctx, chat))
	same(t, "the chat's integration", chat.IntegrationUUID == "" || chat.IntegrationUUID == in.UUID, true)
	chats, err := s.IntegrationChannels(ctx, p.ID, in.ID)
	noErr(t, err)
	same(t, "the integration's chats", ids(chats), []string{chat.UUID})
	chats, err = s.IntegrationChannels(ctx, other.ID, in.ID)
	noErr(t, err)
	same(t, "another project's view", len(chats), 0)
	chat.Name, chat.Settings = "Telegram", map[string]any{"greeting": "hi"}
	noErr(t, s.UpdateChannel(ctx, chat))
	noErr(t, s.SetChannelStatus(ctx, p.ID, chat.ID, store.ChannelDisabled))
	wantCode(t, s.SetChannelStatus(ctx, p.ID, chat.ID, "paused"), store.EINVALID)
	wantCode(t, s.SetChannelStatus(ctx, other.ID, chat.ID, store.ChannelActive), store.ENOTFOUND)
	gotChat, err := s.ChannelByUUID(ctx, p.ID, chat.UUID)
	noErr(t, err)
	if gotChat.Name != "Telegram" || gotChat.Settings["greeting"] != "hi" || gotChat.Status != store.ChannelDisabled ||
		gotChat.IntegrationUUID != in.UUID {
		t.Errorf("updated chat: %+v", gotChat)
	}

	// A chat's dialogs outlive it; deleting the integration takes its chats.
	d := &store.Dialog{ProjectID: p.ID, ChannelID: chat.ID, ExternalID: "42",
		DialogState: store.DialogState{BotID: bot.ID, Version: 1, Status: store.StatusCreated, Mode: store.ModeAuto}}
	noErr(t, s.CreateDialog(ctx, d))
	second := &store.Channel{ProjectID: p.ID, BotID: bot.ID, Kind: "telegram", Name: "TG 2", IntegrationID: in.ID}
	noErr(t, s.CreateChannel(ctx, second))
	wantCode(t, s.DeleteIntegrationChannel(ctx, p.ID, amo.ID, second.ID), store.ENOTFOUND)
	wantCode(t, s.DeleteIntegrationChannel(ctx, other.ID, in.ID, second.ID), store.ENOTFOUND)
	noErr(t, s.DeleteIntegrationChannel(ctx, p.ID, in.ID, second.ID))
	wantCode(t, s.DeleteIntegration(ctx, other.ID, in.ID), store.ENOTFOUND)
	noErr(t, s.DeleteIntegration(ctx, p.ID, in.ID))
	_, err = s.Integration(ctx, p.ID, in.UUID)
	wantCode(t, err, store.ENOTFOUND)
	_, err = s.ChannelByUUID(ctx, p.ID, chat.UUID)
	wantCode(t, err, store.ENOTFOUND)
	kept, err := s.Dialog(ctx, p.ID, d.UUID)
	noErr(t, err)
	same(t, "the dialog's channel after its integration went", kept.ChannelID, int64(0))
}
