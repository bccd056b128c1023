package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/parleyhq/parley/events"
	"github.com/parleyhq/parley/store"
)

// openBus returns the event bus of serve and worker, closed when ctx ends
// (so open event streams finish and the HTTP server can shut down). On
// PostgreSQL it is LISTEN/NOTIFY, shared by every process: workers' text
// deltas and stored turns reach streams on every serve process. With a
// SQLite file it is in memory and carries only its own process's events.
// What db's commits log is announced on it.
func openBus(ctx context.Context, database string, db store.EventLog, log *slog.Logger) (events.Bus, error) {
	var bus interface {
		events.Bus
		Close()
	}
	if !strings.HasPrefix(database, "postgres://") && !strings.HasPrefix(database, "postgresql://") {
		bus = events.NewMemory()
	} else {
		pg, err := events.NewPostgres(ctx, database, log)
		if err != nil {
			return nil, fmt.Errorf("starting the event bus: %w", err)
		}
		bus = pg
	}
	context.AfterFunc(ctx, bus.Close)
	db.OnEvents(events.Announce(bus))
	return bus, nil
}
