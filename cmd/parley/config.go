package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/flows"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/postgres"
	"github.com/parleyhq/parley/store/sqlite"
)

// envOr returns the environment variable, or def when it is unset.
func envOr(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// openStore opens PostgreSQL for postgres:// URLs and SQLite otherwise (a
// file path), running migrations.
func openStore(ctx context.Context, dsn string) (store.Store, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return postgres.Open(ctx, dsn)
	}
	return sqlite.Open(ctx, strings.TrimPrefix(dsn, "sqlite://"))
}

func newLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// engineSettings reads the engine limits from PARLEY_INACTIVITY_TIMEOUT (a
// duration like 24h or 3d) and PARLEY_STEP_LIMIT.
func engineSettings() (engine.Settings, error) {
	var s engine.Settings
	if v := os.Getenv("PARLEY_INACTIVITY_TIMEOUT"); v != "" {
		d, err := flows.ParseDuration(v)
		if err != nil {
			return s, fmt.Errorf("PARLEY_INACTIVITY_TIMEOUT: %v", err)
		}
		s.InactivityTimeout = d
	}
	if v := os.Getenv("PARLEY_STEP_LIMIT"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return s, fmt.Errorf("PARLEY_STEP_LIMIT must be a positive whole number, got %q", v)
		}
		s.StepLimit = n
	}
	return s, nil
}
