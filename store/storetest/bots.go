package storetest

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/parleyhq/parley/store"
)

func checksum(source string) string {
	sum := sha256.Sum256([]byte(source))
	return hex.EncodeToString(sum[:])
}

func testPublishFlow(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newProject(t, s)
	publish := func(t *testing.T, name, source string) *store.Published {
		t.Helper()
		out, err := s.PublishFlow(ctx, store.Publish{ProjectID: p.ID, Slug: "support", Name: name, Source: source, Author: "ann", Note: "n"})
		noErr(t, err)
		return out
	}
	var first *store.Published
	t.Run("first version creates the bot", func(t *testing.T) {
		first = publish(t, "Support", "v1")
		b, v := first.Bot, first.Version
		if !first.Created || b.ID == 0 || b.ProjectID != p.ID || b.Slug != "support" || b.Name != "Support" || b.CurrentVersion != 1 {
			t.Errorf("published = %+v, bot %+v; want created, bot support named Support at version 1", first, b)
		}
		if _, err := uuid.Parse(b.UUID); err != nil {
			t.Errorf("bot UUID %q: %v", b.UUID, err)
		}
		inUTC(t, "bot CreatedAt", b.CreatedAt)
		same(t, "version", v, &store.FlowVersion{BotID: b.ID, Version: 1, Source: "v1", Checksum: checksum("v1"),
			Author: "ann", Note: "n", CreatedAt: v.CreatedAt})
		inUTC(t, "version CreatedAt", v.CreatedAt)
		got, err := s.Bot(ctx, p.ID, "support")
		noErr(t, err)
		same(t, "Bot", got, b)
		gotV, err := s.FlowVersion(ctx, b.ID, 1)
		noErr(t, err)
		same(t, "FlowVersion", gotV, v)
	})
	t.Run("new source adds a version", func(t *testing.T) {
		out := publish(t, "Support", "v2")
		if !out.Created || out.Version.Version != 2 || out.Bot.CurrentVersion != 2 || out.Bot.ID != first.Bot.ID {
			t.Errorf("published = %+v, bot %+v; want version 2 of bot %d created", out, out.Bot, first.Bot.ID)
		}
		got, err := s.Bot(ctx, p.ID, "support")
		noErr(t, err)
		same(t, "Bot", got, out.Bot)
	})
	t.Run("same source stores nothing but the name", func(t *testing.T) {
		out := publish(t, "Help desk", "v2")
		if out.Created || out.Version.Version != 2 || out.Version.Checksum != checksum("v2") {
			t.Errorf("published = %+v, version %+v; want version 2 unchanged", out, out.Version)
		}
		got, err := s.Bot(ctx, p.ID, "support")
		noErr(t, err)
		if got.Name != "Help desk" || got.CurrentVersion != 2 {
			t.Errorf("bot = %+v, want name Help desk at version 2", got)
		}
		same(t, "returned bot", out.Bot, got)
		versions, err := s.FlowVersions(ctx, got.ID)
		noErr(t, err)
		if len(versions) != 2 {
			t.Errorf("%d versions, want 2", len(versions))
		}
	})
	t.Run("earlier source is a new version", func(t *testing.T) {
		out := publish(t, "", "v1")
		if !out.Created || out.Version.Version != 3 || out.Version.Checksum != checksum("v1") {
			t.Errorf("published = %+v, version %+v; want version 3 created", out, out.Version)
		}
		if out.Bot.Name != "Help desk" {
			t.Errorf("bot name %q, want Help desk kept for an empty name", out.Bot.Name)
		}
	})
	t.Run("empty name on a new bot is the slug", func(t *testing.T) {
		out, err := s.PublishFlow(ctx, store.Publish{ProjectID: p.ID, Slug: "faq", Source: "x"})
		noErr(t, err)
		if out.Bot.Name != "faq" {
			t.Errorf("bot name %q, want faq", out.Bot.Name)
		}
	})
	t.Run("same slug in another project is another bot", func(t *testing.T) {
		q := newProject(t, s)
		out, err := s.PublishFlow(ctx, store.Publish{ProjectID: q.ID, Slug: "support", Source: "v1"})
		noErr(t, err)
		if out.Bot.ID == first.Bot.ID || out.Version.Version != 1 {
			t.Errorf("bot %+v version %d, want a new bot at version 1", out.Bot, out.Version.Version)
		}
	})
	for _, c := range []struct {
		name string
		p    store.Publish
		code string
	}{
		{"empty slug", store.Publish{ProjectID: p.ID, Source: "x"}, store.EINVALID},
		{"empty source", store.Publish{ProjectID: p.ID, Slug: "s", Source: " \n"}, store.EINVALID},
		{"unknown project", store.Publish{ProjectID: 999_999, Slug: "s", Source: "x"}, store.ENOTFOUND},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.PublishFlow(ctx, c.p)
			wantCode(t, err, c.code)
		})
	}
	t.Run("concurrent first publishes make one bot and one version", func(t *testing.T) {
		outs := make([]*store.Published, 10)
		var wg sync.WaitGroup
		for i := range outs {
			wg.Go(func() {
				out, err := s.PublishFlow(ctx, store.Publish{ProjectID: p.ID, Slug: "race", Source: "same"})
				if err != nil {
					t.Error(err)
					return
				}
				outs[i] = out
			})
		}
		wg.Wait()
		created := 0
		for _, out := range outs {
			if out == nil {
				return
			}
			if out.Created {
				created++
			}
			if out.Bot.ID != outs[0].Bot.ID || out.Version.Version != 1 {
				t.Errorf("bot %d version %d, want bot %d version 1", out.Bot.ID, out.Version.Version, outs[0].Bot.ID)
			}
		}
		if created != 1 {
			t.Errorf("%d publishes created a version, want 1", created)
		}
	})
}

func testBots(t *testing.T, s store.Store) {
	ctx := t.Context()
	p, other := newProject(t, s), newProject(t, s)
	slugs := []string{"b", "a-z", "A", "a_b", "a", "Z9"}
	bots := map[string]*store.Bot{}
	for _, slug := range slugs {
		out, err := s.PublishFlow(ctx, store.Publish{ProjectID: p.ID, Slug: slug, Source: slug})
		noErr(t, err)
		bots[slug] = out.Bot
	}
	foreign := newBot(t, s, other.ID)
	t.Run("listed by slug in byte order", func(t *testing.T) {
		got, err := s.Bots(ctx, p.ID)
		noErr(t, err)
		sort.Strings(slugs)
		var want []store.Bot
		for _, slug := range slugs {
			want = append(want, *bots[slug])
		}
		same(t, "Bots", got, want)
	})
	t.Run("none", func(t *testing.T) {
		got, err := s.Bots(ctx, newProject(t, s).ID)
		noErr(t, err)
		same(t, "Bots", got, []store.Bot{})
	})
	t.Run("by id", func(t *testing.T) {
		got, err := s.BotByID(ctx, p.ID, bots["a"].ID)
		noErr(t, err)
		same(t, "BotByID", got, bots["a"])
	})
	t.Run("unknown slug", func(t *testing.T) {
		_, err := s.Bot(ctx, p.ID, "nope")
		wantCode(t, err, store.ENOTFOUND)
	})
	t.Run("unknown id", func(t *testing.T) {
		_, err := s.BotByID(ctx, p.ID, 999_999)
		wantCode(t, err, store.ENOTFOUND)
	})
	t.Run("another project's bot by slug", func(t *testing.T) {
		_, err := s.Bot(ctx, p.ID, foreign.Slug)
		wantCode(t, err, store.ENOTFOUND)
	})
	t.Run("another project's bot by id", func(t *testing.T) {
		_, err := s.BotByID(ctx, p.ID, foreign.ID)
		wantCode(t, err, store.ENOTFOUND)
	})
}

func testFlowVersions(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newProject(t, s)
	var want []store.FlowVersion
	for _, src := range []string{"one", "two", "three"} {
		out, err := s.PublishFlow(ctx, store.Publish{ProjectID: p.ID, Slug: "bot", Source: src})
		noErr(t, err)
		want = append([]store.FlowVersion{*out.Version}, want...)
	}
	botID := want[0].BotID
	t.Run("newest first", func(t *testing.T) {
		got, err := s.FlowVersions(ctx, botID)
		noErr(t, err)
		same(t, "FlowVersions", got, want)
	})
	t.Run("one version", func(t *testing.T) {
		got, err := s.FlowVersion(ctx, botID, 2)
		noErr(t, err)
		same(t, "FlowVersion", *got, want[1])
	})
	t.Run("unknown version", func(t *testing.T) {
		_, err := s.FlowVersion(ctx, botID, 4)
		wantCode(t, err, store.ENOTFOUND)
	})
	t.Run("unknown bot", func(t *testing.T) {
		_, err := s.FlowVersion(ctx, 999_999, 1)
		wantCode(t, err, store.ENOTFOUND)
		got, err := s.FlowVersions(ctx, 999_999)
		noErr(t, err)
		same(t, "FlowVersions", got, []store.FlowVersion{})
	})
}

func testBotStatus(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newProject(t, s)
	b := newBot(t, s, p.ID)
	if b.Status != store.BotActive {
		t.Errorf("new bot's status %q, want active", b.Status)
	}
	t.Run("ok", func(t *testing.T) {
		got, err := s.SetBotStatus(ctx, p.ID, b.ID, store.BotDisabled)
		noErr(t, err)
		if got.Status != store.BotDisabled || got.UUID != b.UUID {
			t.Errorf("SetBotStatus = %+v", got)
		}
		again, err := s.BotByUUID(ctx, p.ID, b.UUID)
		noErr(t, err)
		same(t, "BotByUUID", again, got)
	})
	t.Run("unknown status", func(t *testing.T) {
		_, err := s.SetBotStatus(ctx, p.ID, b.ID, "sleepy")
		wantCode(t, err, store.EINVALID)
	})
	t.Run("another project's bot", func(t *testing.T) {
		_, err := s.SetBotStatus(ctx, newProject(t, s).ID, b.ID, store.BotActive)
		wantCode(t, err, store.ENOTFOUND)
	})
	t.Run("not a UUID", func(t *testing.T) {
		_, err := s.BotByUUID(ctx, p.ID, "nope")
		wantCode(t, err, store.ENOTFOUND)
	})
	t.Run("another project's bot by UUID", func(t *testing.T) {
		_, err := s.BotByUUID(ctx, newProject(t, s).ID, b.UUID)
		wantCode(t, err, store.ENOTFOUND)
	})
}

func testDeleteBot(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newProject(t, s)
	b := newBot(t, s, p.ID)
	noErr(t, s.DeleteBot(ctx, p.ID, b.ID))
	t.Run("gone from lookups and lists", func(t *testing.T) {
		_, err := s.Bot(ctx, p.ID, b.Slug)
		wantCode(t, err, store.ENOTFOUND)
		_, err = s.BotByUUID(ctx, p.ID, b.UUID)
		wantCode(t, err, store.ENOTFOUND)
		bots, err := s.Bots(ctx, p.ID)
		noErr(t, err)
		same(t, "Bots", bots, []store.Bot{})
		_, err = s.SetBotStatus(ctx, p.ID, b.ID, store.BotActive)
		wantCode(t, err, store.ENOTFOUND)
	})
	t.Run("still found by id for its dialogs", func(t *testing.T) {
		_, err := s.BotByID(ctx, p.ID, b.ID)
		noErr(t, err)
	})
	t.Run("slug is free again", func(t *testing.T) {
		out, err := s.PublishFlow(ctx, store.Publish{ProjectID: p.ID, Slug: b.Slug, Source: "again"})
		noErr(t, err)
		if out.Bot.ID == b.ID || out.Version.Version != 1 {
			t.Errorf("publishing the deleted bot's slug gave bot %d version %d", out.Bot.ID, out.Version.Version)
		}
	})
	t.Run("twice", func(t *testing.T) {
		wantCode(t, s.DeleteBot(ctx, p.ID, b.ID), store.ENOTFOUND)
	})
	t.Run("another project's bot", func(t *testing.T) {
		other := newBot(t, s, p.ID)
		wantCode(t, s.DeleteBot(ctx, newProject(t, s).ID, other.ID), store.ENOTFOUND)
	})
}
