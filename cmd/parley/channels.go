package main

import (
	"fmt"
	"log/slog"

	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/events"
	"github.com/parleyhq/parley/secretbox"
	"github.com/parleyhq/parley/telegram"
)

// startChannels runs the messenger integrations' workflows (one per
// integration: Telegram's long polling or webhook, and the relay of
// replies) in a worker of their own task queue. Without a secret key no
// integration can be read, so none runs.
func startChannels(tc client.Client, svc *dialogs.Service, box *secretbox.Box, bus events.Bus, l *slog.Logger) (sdkworker.Worker, error) {
	w := sdkworker.New(tc, telegram.TaskQueue, sdkworker.Options{})
	telegram.Register(w, &telegram.Activities{Channel: telegram.FromEnv(svc.Store, svc, box, l), Bus: bus})
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("starting the integrations' worker: %w", err)
	}
	return w, nil
}
