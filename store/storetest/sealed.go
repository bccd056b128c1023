package storetest

import (
	"testing"
	"time"

	"github.com/parleyhq/parley/store"
)

// testSealedSecrets: every sealed column is listed, by kind then id, with
// empty values left out; ResealSecrets replaces only values still as read,
// refuses a bad batch whole, and is a no-op when run again.
func testSealedSecrets(t *testing.T, s store.Store) {
	ctx := t.Context()
	p := newProject(t, s)
	w1 := newWebhook(t, s, p.ID, "dialog.*")
	w2 := newWebhook(t, s, p.ID, "dialog.*")
	noErr(t, s.RotateWebhookSecret(ctx, p.ID, w2.UUID, "v1:second", time.Now().Add(time.Hour)))
	in := &store.Integration{ProjectID: p.ID, Name: "Bot", Vendor: "telegram", AuthData: "v1:telegram"}
	noErr(t, s.CreateIntegration(ctx, in))
	noErr(t, s.CreateIntegration(ctx, &store.Integration{ProjectID: p.ID, Name: "Empty", Vendor: "vk"}))
	tok := &store.AIToken{Name: "Primary", Sealed: "v1:sk", Active: true}
	noErr(t, s.CreateAIToken(ctx, tok))

	list, err := s.SealedSecrets(ctx)
	noErr(t, err)
	want := []store.SealedSecret{
		{Kind: store.SealedWebhookSecret, ID: w1.ID, Ref: w1.UUID, Sealed: "v1:first"},
		{Kind: store.SealedWebhookSecret, ID: w2.ID, Ref: w2.UUID, Sealed: "v1:second"},
		{Kind: store.SealedWebhookPrevious, ID: w2.ID, Ref: w2.UUID, Sealed: "v1:first"},
		{Kind: store.SealedIntegration, ID: in.ID, Ref: in.UUID, Sealed: "v1:telegram"},
		{Kind: store.SealedAIToken, ID: tok.ID, Ref: "Primary", Sealed: "v1:sk"},
	}
	same(t, "sealed secrets", list, want)

	bad := append([]store.SealedSecret{}, want...)
	for i := range bad {
		bad[i].Resealed = "v1:new"
	}
	bad[len(bad)-1].Kind = "users"
	_, err = s.ResealSecrets(ctx, bad)
	wantCode(t, err, store.EINVALID)
	bad[len(bad)-1].Kind, bad[0].Resealed = store.SealedAIToken, ""
	_, err = s.ResealSecrets(ctx, bad)
	wantCode(t, err, store.EINVALID)
	again, err := s.SealedSecrets(ctx)
	noErr(t, err)
	same(t, "after refused batches", again, want)

	// The first webhook's secret changes between the listing and the write:
	// the new secret stays, and the one it replaced, which was not listed
	// as its previous secret, is left as it is.
	noErr(t, s.RotateWebhookSecret(ctx, p.ID, w1.UUID, "v1:rotated", time.Now().Add(time.Hour)))
	rs := append([]store.SealedSecret{}, want...)
	for i := range rs {
		rs[i].Resealed = rs[i].Sealed + "-resealed"
	}
	n, err := s.ResealSecrets(ctx, rs)
	noErr(t, err)
	same(t, "replaced", n, len(rs)-1)
	n, err = s.ResealSecrets(ctx, rs)
	noErr(t, err)
	same(t, "replaced when run again", n, 0)

	got, err := s.Webhook(ctx, p.ID, w1.UUID)
	noErr(t, err)
	same(t, "webhook 1 secrets", []string{got.Secret, got.PreviousSecret}, []string{"v1:rotated", "v1:first"})
	got, err = s.Webhook(ctx, p.ID, w2.UUID)
	noErr(t, err)
	same(t, "webhook 2 secrets", []string{got.Secret, got.PreviousSecret}, []string{"v1:second-resealed", "v1:first-resealed"})
	gotIn, err := s.Integration(ctx, p.ID, in.UUID)
	noErr(t, err)
	same(t, "integration auth_data", gotIn.AuthData, "v1:telegram-resealed")
	toks, err := s.AITokens(ctx, time.Now())
	noErr(t, err)
	same(t, "AI token", toks[0].Sealed, "v1:sk-resealed")
}
