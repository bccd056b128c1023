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
// project (a new webhook starts at the log's end) and delivers to it as a
// worker does, until ctx ends or stop, which returns once the dispatcher
// has (so the store can close under it) and deletes the webhook; received
// is how many deliveries the receiver has taken so far.
func benchWebhook(ctx context.Context, db store.Store, projectID int64) (received func() int64, stop func(), err error) {
	ctx, cancel := context.WithCancel(ctx)
	defer func() {
		if err != nil {
			cancel()
		}
	}()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1) }))
	context.AfterFunc(ctx, srv.Close)
	key := make([]byte, secretbox.KeySize)
	rand.Read(key)
	box, err := secretbox.New(key)
	if err != nil {
		return nil, nil, err
	}
	secret, err := webhooks.NewSecret()
	if err != nil {
		return nil, nil, err
	}
	sealed, err := box.Seal(secret)
	if err != nil {
		return nil, nil, err
	}
	w := &store.Webhook{ProjectID: projectID, URL: srv.URL, Events: []string{store.WebhookAllEvents}, Secret: sealed}
	if err := db.CreateWebhook(ctx, w); err != nil {
		return nil, nil, err
	}
	loopback := netguard.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	d := &webhooks.Dispatcher{Store: db, Box: box, Sender: &webhooks.Sender{Client: webhookClient(loopback)},
		Data: native.WebhookData, Workers: webhookConns}
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		d.Run(ctx, wakeOnEvents(db))
	}()
	return n.Load, func() {
		cancel()
		<-stopped
		// Deleted, so a later window's dispatcher does not find it with
		// the events logged since waiting.
		_ = db.DeleteWebhook(context.WithoutCancel(ctx), projectID, w.UUID)
	}, nil
}
