package storetest

import (
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/store"
)

// testAITokens: keys are stored cleaned and listed first tried first, with
// the calls of the day and month asked about; bad fields are refused by
// name; only active keys allowed the model with calls left are usable;
// concurrent uses all count.
func testAITokens(t *testing.T, s store.Store) {
	ctx := t.Context()
	now := time.Date(2025, 8, 31, 23, 30, 0, 0, time.FixedZone("UTC+3", 3*60*60)) // Aug 31 in UTC
	backup := &store.AIToken{Name: " Backup GPT-3.5 ", Sealed: "sealed-2", ModelAccess: []string{"gpt-3.5-turbo", " gpt-3.5-turbo"},
		DailyLimit: 2, MonthlyLimit: 3, Priority: 2, Active: true, Notes: "Резервный токен"}
	primary := &store.AIToken{Name: "Primary", Sealed: "sealed-1", BaseURL: "https://openrouter.ai/api/v1", Priority: 1, Active: true}
	off := &store.AIToken{Name: "Off", Sealed: "sealed-3", Priority: 0}
	hasActive := func(want bool) {
		t.Helper()
		if got, err := s.HasActiveAIToken(ctx); err != nil || got != want {
			t.Errorf("HasActiveAIToken = %v, %v; want %v", got, err, want)
		}
	}
	hasActive(false)
	noErr(t, s.CreateAIToken(ctx, off))
	hasActive(false) // an inactive key calls nothing
	for _, k := range []*store.AIToken{backup, primary} {
		noErr(t, s.CreateAIToken(ctx, k))
	}
	hasActive(true)
	if backup.ID == 0 || backup.Name != "Backup GPT-3.5" || backup.CreatedAt.IsZero() {
		t.Fatalf("created %+v", backup)
	}
	inUTC(t, "CreatedAt", backup.CreatedAt)
	same(t, "model_access, each once", backup.ModelAccess, []string{"gpt-3.5-turbo"})
	same(t, "no model_access", primary.ModelAccess, []string{})

	for field, bad := range map[string]store.AIToken{
		"name":          {Sealed: "s"},
		"token":         {Name: "n"},
		"daily_limit":   {Name: "n", Sealed: "s", DailyLimit: -1},
		"monthly_limit": {Name: "n", Sealed: "s", MonthlyLimit: -1},
		"priority":      {Name: "n", Sealed: "s", Priority: -1},
		"model_access":  {Name: "n", Sealed: "s", ModelAccess: []string{"gpt-4", " "}},
		"base_url":      {Name: "n", Sealed: "s", BaseURL: "ftp://example.com"},
	} {
		err := s.CreateAIToken(ctx, &bad)
		wantCode(t, err, store.EINVALID)
		if e := store.ErrorOf(err); e.Field != field {
			t.Errorf("field of %+v = %q, want %q", bad, e.Field, field)
		}
	}

	// Two calls of the backup on Aug 30, one on Aug 31 and one in July.
	for _, day := range []time.Time{now.AddDate(0, 0, -1), now.AddDate(0, 0, -1), now, now.AddDate(0, -1, 0)} {
		noErr(t, s.RecordAITokenUse(ctx, backup.ID, day, 10))
	}
	wantCode(t, s.RecordAITokenUse(ctx, backup.ID+off.ID+primary.ID, now, 1), store.ENOTFOUND)

	all, err := s.AITokens(ctx, now)
	noErr(t, err)
	same(t, "order", pluck(all, func(k store.AIToken) string { return k.Name }), []string{"Off", "Primary", "Backup GPT-3.5"})
	want := *backup
	want.DailyUsage, want.MonthlyUsage = 1, 3
	same(t, "the backup's usage on Aug 31", all[2], want)
	all, err = s.AITokens(ctx, now.AddDate(0, 0, 1)) // Sep 1: a new day and month
	noErr(t, err)
	same(t, "usage on Sep 1", []int64{all[2].DailyUsage, all[2].MonthlyUsage}, []int64{0, 0})

	usable := func(model string, at time.Time) []string {
		t.Helper()
		got, err := s.UsableAITokens(ctx, model, at)
		noErr(t, err)
		return pluck(got, func(k store.AIToken) string { return k.Name })
	}
	same(t, "gpt-4 (not the backup's)", usable("gpt-4", now), []string{"Primary"})
	same(t, "gpt-3.5 on Aug 31: a month used up", usable("gpt-3.5-turbo", now), []string{"Primary"})
	same(t, "gpt-3.5 on Aug 30: a day used up", usable("gpt-3.5-turbo", now.AddDate(0, 0, -1)), []string{"Primary"})
	same(t, "gpt-3.5 on Sep 1", usable("gpt-3.5-turbo", now.AddDate(0, 0, 1)), []string{"Primary", "Backup GPT-3.5"})

	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if err := s.RecordAITokenUse(ctx, primary.ID, now, 5); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	all, err = s.AITokens(ctx, now)
	noErr(t, err)
	same(t, "concurrent uses", all[1].DailyUsage, int64(8))
}
