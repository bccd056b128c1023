//go:build !slim

package main

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync/atomic"

	"github.com/parleyhq/parley/netguard"
	"github.com/parleyhq/parley/secretbox"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/webhooks"
)

// benchWebhook subscribes a loopback receiver to every event of the
// project and delivers to it as a worker does, until ctx ends; it returns
// how many deliveries the receiver has taken so far.
func benchWebhook(ctx context.Context, db store.Store, projectID int64) (received func() int64, err error) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1) }))
	context.AfterFunc(ctx, srv.Close)
	key := make([]byte, secretbox.KeySize)
	rand.Read(key)
	box, err := secretbox.New(key)
	if err != nil {
		return nil, err
	}
	secret, err := webhooks.NewSecret()
	if err != nil {
		return nil, err
	}
	sealed, err := box.Seal(secret)
	if err != nil {
		return nil, err
	}
	w := &store.Webhook{ProjectID: projectID, URL: srv.URL, Events: []string{store.WebhookAllEvents}, Secret: sealed}
	if err := db.CreateWebhook(ctx, w); err != nil {
		return nil, err
	}
	loopback := netguard.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	d := &webhooks.Dispatcher{Store: db, Box: box, Sender: &webhooks.Sender{Client: webhookClient(loopback)},
		Data: native.WebhookData, Workers: webhookConns}
	go d.Run(ctx, wakeOnEvents(db))
	return n.Load, nil
}
