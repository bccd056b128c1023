package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/parleyhq/parley/store"
)

// message returns a bot message of d at seq, sent at minute seq.
func message(d *store.Dialog, seq int64, text string) store.Message {
	return store.Message{ID: fmt.Sprintf("%s-%d", d.UUID, seq), DialogID: d.ID, Seq: seq, Role: store.MessageAssistant,
		Text: text, Buttons: []string{"Yes", "No"}, Node: "ask", ClientMessageID: "c1", CreatedAt: at(int(seq))}
}

// storedMessages are msgs as the store returns them: times in UTC.
func storedMessages(msgs ...store.Message) []store.Message {
	out := slices.Clone(msgs)
	for i := range out {
		out[i].CreatedAt = out[i].CreatedAt.UTC()
	}
	return out
}

// storedData is storedMessages for data items.
func storedData(items ...store.DataItem) []store.DataItem {
	out := slices.Clone(items)
	for i := range out {
		out[i].CreatedAt = out[i].CreatedAt.UTC()
	}
	return out
}

func testMessages(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newProject(t, s)
	d, other := newDialog(t, s, p.ID, 0), newDialog(t, s, p.ID, 0)
	list := func(t *testing.T, dialogID int64) []store.Message {
		t.Helper()
		got, err := s.Messages(ctx, dialogID)
		noErr(t, err)
		return got
	}
	m1, m2, m3 := message(d, 1, "Hi"), message(d, 2, "How can I help?"), message(d, 3, "Bye")
	m2.Role, m2.Operator, m2.Buttons, m2.Node = store.MessageOperator, "Bob", nil, ""
	m2.Files = []store.Attachment{{ID: 7, Name: "plan.pdf", MIMEType: "application/pdf", Size: 1234}, {ID: 9, Name: "a.png", MIMEType: "image/png", Size: 1}}
	m3.Buttons = []string{}
	t.Run("none", func(t *testing.T) {
		same(t, "Messages", list(t, d.ID), []store.Message{})
	})
	t.Run("listed by Seq as given", func(t *testing.T) {
		noErr(t, s.AppendMessages(ctx, []store.Message{m2, m1}))
		same(t, "Messages", list(t, d.ID), storedMessages(m1, m2))
	})
	t.Run("retry skipped", func(t *testing.T) {
		retry := m1
		retry.Text = "changed"
		noErr(t, s.AppendMessages(ctx, []store.Message{retry, m2, m3}))
		same(t, "Messages", list(t, d.ID), storedMessages(m1, m2, m3))
	})
	t.Run("same Seq in another dialog", func(t *testing.T) {
		o1 := message(other, 1, "Other")
		noErr(t, s.AppendMessages(ctx, []store.Message{o1}))
		same(t, "Messages", list(t, other.ID), storedMessages(o1))
	})
	t.Run("empty batch", func(t *testing.T) {
		noErr(t, s.AppendMessages(ctx, nil))
	})
	t.Run("unknown dialog stores none of the batch", func(t *testing.T) {
		m4 := message(d, 4, "lost")
		lost := message(d, 5, "lost")
		lost.DialogID = 999_999
		wantCode(t, s.AppendMessages(ctx, []store.Message{m4, lost}), store.ENOTFOUND)
		same(t, "Messages", list(t, d.ID), storedMessages(m1, m2, m3))
	})
	t.Run("concurrent retries store one copy", func(t *testing.T) {
		batch := []store.Message{message(d, 10, "a"), message(d, 11, "b"), message(d, 12, "c")}
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				if err := s.AppendMessages(ctx, batch); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		got := list(t, d.ID)
		same(t, "Messages", got[len(got)-3:], storedMessages(batch...))
	})
	t.Run("ID used at another Seq", func(t *testing.T) {
		dup := message(d, 9, "dup")
		dup.ID = m1.ID
		wantCode(t, s.AppendMessages(ctx, []store.Message{dup}), store.ECONFLICT)
	})
}

// testUsage checks that a message's model usage round-trips through
// AppendMessages and SaveTurn, is kept from the first write on retries and
// refuses negative token counts.
func testUsage(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newProject(t, s)
	b := newBot(t, s, p.ID)
	d := newDialog(t, s, p.ID, b.ID)
	list := func(t *testing.T) []store.Message {
		t.Helper()
		got, err := s.Messages(ctx, d.ID)
		noErr(t, err)
		return got
	}
	withUsage := func(m store.Message, u store.Usage) store.Message {
		m.Usage = &u
		return m
	}
	m1 := withUsage(message(d, 1, "Hi"), store.Usage{Model: "gpt-4o-mini", PromptTokens: 120, CompletionTokens: 35})
	m2 := message(d, 2, "no model") // Usage nil
	m3 := withUsage(message(d, 3, "free"), store.Usage{Model: "", PromptTokens: 0, CompletionTokens: 0})
	m4 := withUsage(message(d, 4, "big"), store.Usage{Model: "claude-x", PromptTokens: 1 << 40, CompletionTokens: 7})
	t.Run("round trip with and without usage", func(t *testing.T) {
		noErr(t, s.AppendMessages(ctx, []store.Message{m1, m2, m3}))
		noErr(t, s.SaveTurn(ctx, store.Turn{Messages: []store.Message{m4}}))
		got := list(t)
		same(t, "Messages", got, storedMessages(m1, m2, m3, m4))
		if len(got) == 4 && got[1].Usage != nil {
			t.Errorf("Usage of a message without one = %+v, want nil", got[1].Usage)
		}
	})
	t.Run("retry keeps the first usage", func(t *testing.T) {
		r1 := withUsage(m1, store.Usage{Model: "other", PromptTokens: 1, CompletionTokens: 2})
		r2 := withUsage(m2, store.Usage{Model: "late", PromptTokens: 3, CompletionTokens: 4})
		r4 := m4
		r4.Usage = nil
		noErr(t, s.AppendMessages(ctx, []store.Message{r1, r2}))
		noErr(t, s.SaveTurn(ctx, store.Turn{Messages: []store.Message{r4}}))
		same(t, "Messages", list(t), storedMessages(m1, m2, m3, m4))
	})
	t.Run("negative token counts", func(t *testing.T) {
		before := list(t)
		dialog, err := s.DialogByID(ctx, p.ID, d.ID)
		noErr(t, err)
		ok := message(d, 5, "ok")
		for _, u := range []store.Usage{
			{Model: "m", PromptTokens: -1, CompletionTokens: 5},
			{Model: "m", PromptTokens: 5, CompletionTokens: -1},
		} {
			bad := withUsage(message(d, 6, "bad"), u)
			wantCode(t, s.AppendMessages(ctx, []store.Message{ok, bad}), store.EINVALID)
			st := dialog.DialogState
			st.StateSeq, st.Node = dialog.StateSeq+1, "next"
			wantCode(t, s.SaveTurn(ctx, store.Turn{Messages: []store.Message{ok, bad}, State: &st}), store.EINVALID)
		}
		same(t, "Messages", list(t), before)
		after, err := s.DialogByID(ctx, p.ID, d.ID)
		noErr(t, err)
		same(t, "Dialog", after, dialog)
	})
}

func testData(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newProject(t, s)
	d := newDialog(t, s, p.ID, 0)
	list := func(t *testing.T) []store.DataItem {
		t.Helper()
		got, err := s.Data(ctx, d.ID)
		noErr(t, err)
		return got
	}
	i1 := store.DataItem{DialogID: d.ID, Seq: 2, Question: "Name?", Type: "text", Answer: "Ann", Variable: "name", CreatedAt: at(2)}
	i2 := store.DataItem{DialogID: d.ID, Seq: 4, Question: "Photo", Type: "file", Answer: "f.png", Deleted: true, CreatedAt: at(4)}
	batch := []store.DataItem{{DialogID: d.ID, Seq: 10, Answer: "a", CreatedAt: at(10)}, {DialogID: d.ID, Seq: 11, Answer: "b", CreatedAt: at(11)}}
	t.Run("none", func(t *testing.T) {
		same(t, "Data", list(t), []store.DataItem{})
	})
	t.Run("listed by Seq as given", func(t *testing.T) {
		noErr(t, s.AppendData(ctx, []store.DataItem{i2, i1}))
		same(t, "Data", list(t), storedData(i1, i2))
	})
	t.Run("retry skipped", func(t *testing.T) {
		retry := i1
		retry.Answer, retry.Deleted = "Bob", true
		noErr(t, s.AppendData(ctx, []store.DataItem{retry}))
		same(t, "Data", list(t), storedData(i1, i2))
	})
	t.Run("empty batch", func(t *testing.T) {
		noErr(t, s.AppendData(ctx, []store.DataItem{}))
	})
	t.Run("concurrent retries store one copy", func(t *testing.T) {
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() {
				if err := s.AppendData(ctx, batch); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		same(t, "Data", list(t), storedData(i1, i2, batch[0], batch[1]))
	})
	t.Run("unknown dialog stores none of the batch", func(t *testing.T) {
		i3 := store.DataItem{DialogID: d.ID, Seq: 6, CreatedAt: at(6)}
		lost := store.DataItem{DialogID: 999_999, Seq: 1, CreatedAt: at(6)}
		wantCode(t, s.AppendData(ctx, []store.DataItem{i3, lost}), store.ENOTFOUND)
		same(t, "Data", list(t), storedData(i1, i2, batch[0], batch[1]))
	})
}

// testUserMessages: what a person said in a bot's other dialogs, found by
// the dialogs' UserID, newest first.
func testUserMessages(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, other := newProject(t, s), newProject(t, s)
	bot, otherBot := newBot(t, s, p.ID), newBot(t, s, p.ID)
	dialog := func(projectID, botID int64, userID string) *store.Dialog {
		t.Helper()
		d := &store.Dialog{ProjectID: projectID, UserID: userID, Source: "api",
			DialogState: store.DialogState{BotID: botID, Version: 1, Status: store.StatusCreated, Mode: store.ModeAuto}}
		noErr(t, s.CreateDialog(ctx, d))
		return d
	}
	said := func(d *store.Dialog, seq int64, text string) store.Message {
		m := message(d, seq, text)
		m.Role, m.Buttons, m.Node = store.MessageUser, nil, ""
		noErr(t, s.AppendMessages(ctx, []store.Message{m}))
		return m
	}
	now, earlier, later := dialog(p.ID, bot.ID, "ada"), dialog(p.ID, bot.ID, "ada"), dialog(p.ID, bot.ID, "ada")
	first := said(earlier, 1, "My dog is called Rex")
	reply := message(earlier, 2, "Nice!") // the bot's, not hers
	noErr(t, s.AppendMessages(ctx, []store.Message{reply}))
	second := said(later, 3, "I moved to Porto")
	said(now, 4, "the current dialog's own")
	said(dialog(p.ID, bot.ID, "bob"), 5, "another person's")
	said(dialog(p.ID, otherBot.ID, "ada"), 6, "to another bot")
	said(dialog(p.ID, bot.ID, ""), 7, "nobody's")
	otherProjectBot := newBot(t, s, other.ID)
	said(dialog(other.ID, otherProjectBot.ID, "ada"), 8, "in another project")

	got, err := s.UserMessages(ctx, p.ID, bot.ID, "ada", now.ID, 10)
	noErr(t, err)
	same(t, "UserMessages", got, storedMessages(second, first))
	got, err = s.UserMessages(ctx, p.ID, bot.ID, "ada", now.ID, 1)
	noErr(t, err)
	same(t, "UserMessages limit 1", got, storedMessages(second))
	for _, c := range []struct {
		name   string
		userID string
		limit  int
	}{{"unknown user", "", 10}, {"no limit", "ada", 0}} {
		got, err := s.UserMessages(ctx, p.ID, bot.ID, c.userID, now.ID, c.limit)
		noErr(t, err)
		if got == nil || len(got) != 0 {
			t.Errorf("%s: %#v, want an empty list", c.name, got)
		}
	}
}
