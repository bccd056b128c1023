package native_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/server/servertest"
)

// createWithKey creates a shop dialog with an Idempotency-Key.
func createWithKey(e *servertest.Env, key string, body any) *servertest.Response {
	h := http.Header{"Authorization": {e.A.Bearer()}, "Idempotency-Key": {key}}
	return e.DoWith("POST", "/v1/bots/shop/dialogs", h, body)
}

// A create sent again with its Idempotency-Key answers the first dialog
// and its first turn; other keys make other dialogs; a key used with
// another bot, or too long, is refused.
func TestCreateRetried(t *testing.T) {
	e := setup(t)
	first := createWithKey(e, "order-7", nil)
	var a, again turn
	first.JSON(t, &a)
	if first.Status != http.StatusCreated || a.said() != "Size?" {
		t.Fatalf("first create: %d %s", first.Status, first.Body)
	}
	retry := createWithKey(e, "order-7", nil)
	retry.JSON(t, &again)
	if retry.Status != http.StatusCreated || again.ID != a.ID || again.Number != a.Number || again.said() != "Size?" ||
		again.Messages[0].ID != a.Messages[0].ID {
		t.Errorf("the retry answered %d %s\nwant the first: %s", retry.Status, retry.Body, first.Body)
	}
	var other turn
	createWithKey(e, "order-8", nil).JSON(t, &other)
	if other.ID == a.ID || other.ID == "" {
		t.Errorf("another key gave dialog %q, the first was %q", other.ID, a.ID)
	}
	var list struct{ Dialogs []struct{ ID string } }
	e.Do("GET", "/v1/dialogs", e.A.Bearer(), nil).JSON(t, &list)
	if len(list.Dialogs) != 2 {
		t.Errorf("%d dialogs stored, want 2", len(list.Dialogs))
	}
	// A retry after the dialog moved on to its handoff answers the first
	// turn again, without running the start again: that would hand the
	// dialog back from its operator to the bot.
	if r := e.Do("POST", "/v1/dialogs/"+a.ID+"/messages", e.A.Bearer(), map[string]any{"text": "M"}); r.Status != http.StatusOK {
		t.Fatalf("answering: %d %s", r.Status, r.Body)
	}
	var late turn
	createWithKey(e, "order-7", nil).JSON(t, &late)
	if late.ID != a.ID || late.said() != "Size?" {
		t.Errorf("a late retry: %+v, want the first answer", late)
	}
	var now turn
	e.Do("GET", "/v1/dialogs/"+a.ID, e.A.Bearer(), nil).JSON(t, &now)
	if now.Mode != "operator" {
		t.Errorf("after a late retry the dialog's mode is %q, want operator (still handed off)", now.Mode)
	}

	if r := e.Do("PUT", "/v1/bots/other/flow", e.A.Bearer(), strings.Replace(shopV1, "bot: shop", "bot: other", 1)); r.Status != http.StatusOK {
		t.Fatalf("publishing other: %d %s", r.Status, r.Body)
	}
	h := http.Header{"Authorization": {e.A.Bearer()}, "Idempotency-Key": {"order-7"}}
	if r := e.DoWith("POST", "/v1/bots/other/dialogs", h, nil); r.Status != http.StatusConflict || !strings.Contains(string(r.Body), "Idempotency-Key") {
		t.Errorf("the key with another bot: %d %s, want 409 naming the key", r.Status, r.Body)
	}
	if r := createWithKey(e, strings.Repeat("k", 201), nil); r.Status != http.StatusBadRequest || !strings.Contains(string(r.Body), "Idempotency-Key") {
		t.Errorf("a 201-character key: %d %s, want 400 naming the key", r.Status, r.Body)
	}
	// Project B's equal key is B's own dialog.
	hb := http.Header{"Authorization": {e.B.Bearer()}, "Idempotency-Key": {"order-7"}}
	e.DoWith("PUT", "/v1/bots/shop/flow", hb, shopV1)
	var b turn
	if r := e.DoWith("POST", "/v1/bots/shop/dialogs", hb, nil); r.Status != http.StatusCreated {
		t.Errorf("project B's create: %d %s", r.Status, r.Body)
	} else if r.JSON(t, &b); b.ID == a.ID {
		t.Errorf("project B's key named project A's dialog %s", a.ID)
	}
}

// A create cut off after the dialog was stored, before its workflow
// started (Temporal unreachable here), is finished by its retry: the
// dialog starts and answers its first turn, and there is one dialog.
func TestCreateRetriedAfterCutOff(t *testing.T) {
	e := setup(t)
	down, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	defer down.Close()
	cut := &dialogs.Service{Store: e.Store, Temporal: down}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancel()
	if _, _, err := cut.Create(ctx, e.A.ID, "shop", dialogs.CreateInput{Start: true, Source: "api", IdempotencyKey: "cut-1"}); err == nil {
		t.Fatal("the create with Temporal down succeeded")
	}
	var stored struct{ Dialogs []struct{ ID, Status string } }
	e.Do("GET", "/v1/dialogs", e.A.Bearer(), nil).JSON(t, &stored)
	if len(stored.Dialogs) != 1 || stored.Dialogs[0].Status != "created" {
		t.Fatalf("after the cut-off create the store has %+v, want one created dialog", stored.Dialogs)
	}

	r := createWithKey(e, "cut-1", nil)
	var tr turn
	r.JSON(t, &tr)
	if r.Status != http.StatusCreated || tr.ID != stored.Dialogs[0].ID || tr.said() != "Size?" || tr.Status != "in-process" {
		t.Fatalf("the retry: %d %s, want dialog %s started", r.Status, r.Body, stored.Dialogs[0].ID)
	}
	if next := e.Do("POST", "/v1/dialogs/"+tr.ID+"/messages", e.A.Bearer(), map[string]any{"text": "S"}); next.Status != http.StatusOK {
		t.Errorf("talking to the finished create: %d %s", next.Status, next.Body)
	}
}
