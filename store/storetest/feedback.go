package storetest

import (
	"testing"
	"time"

	"github.com/parleyhq/parley/store"
)

// chatFixture is a bot with an API dialog (external id s1) and a test
// dialog, two messages each, and a dialog of another bot.
type chatFixture struct {
	p             *store.Project
	bot, otherBot *store.Bot
	api, test     *store.Dialog
	elsewhere     *store.Dialog
}

func newChatFixture(t *testing.T, s store.Store) chatFixture {
	t.Helper()
	p := newProject(t, s)
	f := chatFixture{p: p, bot: newBot(t, s, p.ID), otherBot: newBot(t, s, p.ID)}
	f.api = &store.Dialog{ProjectID: p.ID, Source: "api", ExternalID: "s1", User: map[string]any{"email": "ann@example.com"},
		DialogState: store.DialogState{BotID: f.bot.ID, Version: 1, Status: store.StatusCreated, Mode: store.ModeAuto}}
	noErr(t, s.CreateDialog(t.Context(), f.api))
	f.test = &store.Dialog{ProjectID: p.ID, Source: store.SourceTest,
		DialogState: store.DialogState{BotID: f.bot.ID, Version: 1, Status: store.StatusCreated, Mode: store.ModeAuto}}
	noErr(t, s.CreateDialog(t.Context(), f.test))
	f.elsewhere = newDialog(t, s, p.ID, f.otherBot.ID)
	// Minutes 1 and 3 in the API dialog, 2 and 4 in the test one: a
	// listing by time interleaves them.
	for _, m := range []store.Message{
		userMessage(f.api, 1, "hi"), message(f.api, 2, "Hello"),
		userMessage(f.test, 1, "test hi"), message(f.test, 2, "Test greeting"),
		message(f.elsewhere, 1, "Elsewhere"),
	} {
		m.CreatedAt = at(int(m.Seq)*2 - 1)
		if m.DialogID == f.test.ID {
			m.CreatedAt = at(int(m.Seq) * 2)
		}
		noErr(t, s.AppendMessages(t.Context(), []store.Message{m}))
	}
	return f
}

// userMessage is a user's message of d at seq.
func userMessage(d *store.Dialog, seq int64, text string) store.Message {
	m := message(d, seq, text)
	m.Role, m.Buttons, m.Node, m.ClientMessageID = store.MessageUser, nil, "", ""
	return m
}

func testFeedback(t *testing.T, s store.Store) {
	ctx := t.Context()
	f := newChatFixture(t, s)
	up := &store.Feedback{ProjectID: f.p.ID, DialogID: f.api.ID, Seq: 2, Rating: store.RatingUp, Content: "Good"}
	t.Run("created", func(t *testing.T) {
		created, err := s.SaveFeedback(ctx, up)
		noErr(t, err)
		if !created || up.ID == 0 || up.UUID == "" || up.BotID != f.bot.ID || up.MessageID != f.api.UUID+"-2" {
			t.Fatalf("saved %s (created %v)", show(up), created)
		}
		inUTC(t, "CreatedAt", up.CreatedAt)
	})
	t.Run("a second one replaces it", func(t *testing.T) {
		down := &store.Feedback{ProjectID: f.p.ID, DialogID: f.api.ID, Seq: 2, Rating: store.RatingDown}
		created, err := s.SaveFeedback(ctx, down)
		noErr(t, err)
		if created || down.UUID != up.UUID || down.ID != up.ID || !down.CreatedAt.Equal(up.CreatedAt) || down.Content != "" {
			t.Errorf("replaced %s with %s (created %v)", show(up), show(down), created)
		}
	})
	t.Run("refused", func(t *testing.T) {
		_, err := s.SaveFeedback(ctx, &store.Feedback{ProjectID: f.p.ID, DialogID: f.api.ID, Seq: 2, Rating: "meh"})
		wantCode(t, err, store.EINVALID)
		_, err = s.SaveFeedback(ctx, &store.Feedback{ProjectID: f.p.ID, DialogID: f.api.ID, Seq: 9, Rating: store.RatingUp})
		wantCode(t, err, store.ENOTFOUND)
		other := newProject(t, s)
		_, err = s.SaveFeedback(ctx, &store.Feedback{ProjectID: other.ID, DialogID: f.api.ID, Seq: 2, Rating: store.RatingUp})
		wantCode(t, err, store.ENOTFOUND)
		_, err = s.UpdateFeedback(ctx, other.ID, up.UUID, store.FeedbackUpdate{})
		wantCode(t, err, store.ENOTFOUND)
		_, err = s.Feedback(ctx, other.ID, up.UUID)
		wantCode(t, err, store.ENOTFOUND)
		_, err = s.Feedback(ctx, f.p.ID, "not-a-uuid")
		wantCode(t, err, store.ENOTFOUND)
		_, err = s.UpdateFeedback(ctx, f.p.ID, "not-a-uuid", store.FeedbackUpdate{})
		wantCode(t, err, store.ENOTFOUND)
		bad := "meh"
		_, err = s.UpdateFeedback(ctx, f.p.ID, up.UUID, store.FeedbackUpdate{Rating: &bad})
		wantCode(t, err, store.EINVALID)
	})
	t.Run("updated", func(t *testing.T) {
		content := "Better now"
		got, err := s.UpdateFeedback(ctx, f.p.ID, up.UUID, store.FeedbackUpdate{Content: &content})
		noErr(t, err)
		if got.Rating != store.RatingDown || got.Content != content || got.UUID != up.UUID || got.DialogID != f.api.ID || got.Seq != 2 {
			t.Errorf("updated: %s", show(got))
		}
		read, err := s.Feedback(ctx, f.p.ID, up.UUID)
		noErr(t, err)
		same(t, "read back", read, got)
	})
	t.Run("listed", func(t *testing.T) {
		testUp := &store.Feedback{ProjectID: f.p.ID, DialogID: f.test.ID, Seq: 2, Rating: store.RatingUp}
		_, err := s.SaveFeedback(ctx, testUp)
		noErr(t, err)
		list := func(ff store.FeedbackFilter) []string {
			t.Helper()
			got, err := s.ListFeedback(ctx, f.p.ID, ff)
			noErr(t, err)
			return pluck(got, func(fb store.Feedback) string { return fb.UUID })
		}
		same(t, "all", list(store.FeedbackFilter{BotID: f.bot.ID}), []string{up.UUID, testUp.UUID})
		same(t, "desc", list(store.FeedbackFilter{BotID: f.bot.ID, Desc: true}), []string{testUp.UUID, up.UUID})
		same(t, "one dialog", list(store.FeedbackFilter{BotID: f.bot.ID, DialogID: f.test.ID}), []string{testUp.UUID})
		later := testUp.CreatedAt.Add(time.Hour)
		same(t, "from later", list(store.FeedbackFilter{BotID: f.bot.ID, From: &later}), []string{})
		same(t, "to later", list(store.FeedbackFilter{BotID: f.bot.ID, To: &later}), []string{up.UUID, testUp.UUID})
		same(t, "another bot", list(store.FeedbackFilter{BotID: f.otherBot.ID}), []string{})
		other, err := s.ListFeedback(ctx, newProject(t, s).ID, store.FeedbackFilter{BotID: f.bot.ID})
		noErr(t, err)
		same(t, "another project", len(other), 0)
	})
	t.Run("a deleted dialog's is deleted", func(t *testing.T) {
		noErr(t, s.DeleteDialog(ctx, f.p.ID, f.test.ID))
		got, err := s.ListFeedback(ctx, f.p.ID, store.FeedbackFilter{BotID: f.bot.ID})
		noErr(t, err)
		same(t, "left", pluck(got, func(fb store.Feedback) string { return fb.UUID }), []string{up.UUID})
	})
}

func testChatMessages(t *testing.T, s store.Store) {
	ctx := t.Context()
	f := newChatFixture(t, s)
	rated := &store.Feedback{ProjectID: f.p.ID, DialogID: f.api.ID, Seq: 2, Rating: store.RatingUp}
	_, err := s.SaveFeedback(ctx, rated)
	noErr(t, err)
	list := func(t *testing.T, cf store.ChatMessageFilter) []string {
		t.Helper()
		cf.BotID = f.bot.ID
		got, err := s.ChatMessages(ctx, f.p.ID, cf)
		noErr(t, err)
		return pluck(got, func(m store.ChatMessage) string { return m.Text })
	}
	yes, no := true, false
	from, to := at(2), at(3)
	for _, tt := range []struct {
		name string
		f    store.ChatMessageFilter
		want []string
	}{
		{"all, by time", store.ChatMessageFilter{}, []string{"hi", "test hi", "Hello", "Test greeting"}},
		{"descending", store.ChatMessageFilter{Desc: true}, []string{"Test greeting", "Hello", "test hi", "hi"}},
		{"by external id", store.ChatMessageFilter{Chat: "s1"}, []string{"hi", "Hello"}},
		{"by UUID", store.ChatMessageFilter{Chat: f.test.UUID}, []string{"test hi", "Test greeting"}},
		{"an unknown chat", store.ChatMessageFilter{Chat: "nobody"}, []string{}},
		{"test dialogs", store.ChatMessageFilter{Test: &yes}, []string{"test hi", "Test greeting"}},
		{"other dialogs", store.ChatMessageFilter{Test: &no}, []string{"hi", "Hello"}},
		{"in a time range", store.ChatMessageFilter{From: &from, To: &to}, []string{"test hi", "Hello"}},
	} {
		t.Run(tt.name, func(t *testing.T) { same(t, "texts", list(t, tt.f), tt.want) })
	}
	t.Run("with their dialog and feedback", func(t *testing.T) {
		got, err := s.ChatMessages(ctx, f.p.ID, store.ChatMessageFilter{BotID: f.bot.ID, Chat: "s1"})
		noErr(t, err)
		same(t, "dialog", got[1].Dialog, store.ChatDialog{ID: f.api.ID, UUID: f.api.UUID, ExternalID: "s1", BotID: f.bot.ID, Source: "api",
			User: map[string]any{"email": "ann@example.com"}})
		want := message(f.api, 2, "Hello")
		want.CreatedAt = utc(3)
		same(t, "message", got[1].Message, want)
		if got[0].Feedback != nil || got[1].Feedback == nil || got[1].Feedback.UUID != rated.UUID || got[1].Feedback.Rating != store.RatingUp {
			t.Errorf("feedback: %s, %s", show(got[0].Feedback), show(got[1].Feedback))
		}
	})
	t.Run("another project's bot has none", func(t *testing.T) {
		got, err := s.ChatMessages(ctx, newProject(t, s).ID, store.ChatMessageFilter{BotID: f.bot.ID})
		noErr(t, err)
		same(t, "messages", len(got), 0)
	})
	t.Run("deleted with their feedback", func(t *testing.T) {
		// A search first, so the full-text index (SQLite's, kept in
		// batches) holds the message it must then forget.
		searched := func() int {
			_, n, err := s.ListDialogs(ctx, f.p.ID, store.DialogFilter{Text: "Hello"})
			noErr(t, err)
			return n
		}
		same(t, "found before", searched(), 1)
		other := newProject(t, s)
		n, err := s.DeleteMessages(ctx, other.ID, []store.MessageKey{{DialogID: f.api.ID, Seq: 2}})
		noErr(t, err)
		same(t, "deleted by another project", n, 0)
		n, err = s.DeleteMessages(ctx, f.p.ID, []store.MessageKey{{DialogID: f.api.ID, Seq: 2}, {DialogID: f.api.ID, Seq: 9}, {DialogID: f.test.ID, Seq: 1}})
		noErr(t, err)
		same(t, "deleted", n, 2)
		same(t, "left", list(t, store.ChatMessageFilter{}), []string{"hi", "Test greeting"})
		fb, err := s.ListFeedback(ctx, f.p.ID, store.FeedbackFilter{BotID: f.bot.ID})
		noErr(t, err)
		same(t, "feedback left", len(fb), 0)
		same(t, "found after", searched(), 0)
	})
}
