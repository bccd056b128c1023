package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"

	"go.temporal.io/sdk/client"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/metrics"
	"github.com/parleyhq/parley/store"
)

// prodConfig is what serve and worker need: an external Temporal cluster
// and a database.
type prodConfig struct {
	addr, temporal, namespace, database, data string
}

func prodFlags(fs *flag.FlagSet, withAddr bool) *prodConfig {
	cfg := &prodConfig{}
	if withAddr {
		fs.StringVar(&cfg.addr, "addr", envOr("PARLEY_ADDR", ":8080"), "HTTP listen address (env PARLEY_ADDR)")
		fs.StringVar(&cfg.data, "data", envOr("PARLEY_DATA", ".data"), "directory for uploaded files, shared by every serve process (env PARLEY_DATA)")
	}
	fs.StringVar(&cfg.temporal, "temporal", envOr("PARLEY_TEMPORAL_ADDRESS", "127.0.0.1:7233"), "Temporal frontend host:port (env PARLEY_TEMPORAL_ADDRESS)")
	fs.StringVar(&cfg.namespace, "namespace", envOr("PARLEY_TEMPORAL_NAMESPACE", "default"), "Temporal namespace (env PARLEY_TEMPORAL_NAMESPACE)")
	fs.StringVar(&cfg.database, "database", envOr("PARLEY_DATABASE_URL", ""), "postgres:// URL, or a SQLite file path (env PARLEY_DATABASE_URL)")
	return cfg
}

func (cfg *prodConfig) check() error {
	if cfg.database == "" {
		return fmt.Errorf("set PARLEY_DATABASE_URL (or --database) to a postgres:// URL")
	}
	return nil
}

// runServe serves the HTTP API; workers run the dialogs.
func runServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := prodFlags(fs, true)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	return exitOn(stderr, "serve", cfg.check(), func(ctx context.Context) error {
		conn, err := connect(ctx, cfg)
		if err != nil {
			return err
		}
		defer conn.close()
		settings, err := engineSettings()
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", cfg.addr)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Parley API listening on %s\n", ln.Addr())
		bus, err := openBus(ctx, cfg.database, conn.db, conn.log)
		if err != nil {
			return err
		}
		if err := serveMetrics(ctx, conn.metrics, conn.log, stdout); err != nil {
			return err
		}
		svc := &dialogs.Service{Store: conn.db, Temporal: conn.tc, Logger: conn.log, Settings: settings, Bus: bus, Metrics: conn.metrics}
		lib, closeLib, err := newLibrary(ctx, conn.db, conn.tc, cfg.data)
		if err != nil {
			return err
		}
		defer closeLib()
		box, err := secretKey("")
		if err != nil {
			return err
		}
		h, err := newHandler(conn.db, svc, conn.log, cfg.data, lib, ln.Addr(), box)
		if err != nil {
			return err
		}
		return serveHTTP(ctx, ln, h)
	})
}

// runWorker runs dialog workflows and their activities.
func runWorker(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := prodFlags(fs, false)
	// Indexing reads the files serve processes upload.
	fs.StringVar(&cfg.data, "data", envOr("PARLEY_DATA", ".data"), "directory of uploaded files, shared with every serve process (env PARLEY_DATA)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	return exitOn(stderr, "worker", cfg.check(), func(ctx context.Context) error {
		if err := setWorkflowCache(); err != nil {
			return err
		}
		conn, err := connect(ctx, cfg)
		if err != nil {
			return err
		}
		defer conn.close()
		lib, closeLib, err := newLibrary(ctx, conn.db, conn.tc, cfg.data)
		if err != nil {
			return err
		}
		defer closeLib()
		bus, err := openBus(ctx, cfg.database, conn.db, conn.log)
		if err != nil {
			return err
		}
		box, err := secretKey("")
		if err != nil {
			return err
		}
		w, err := startWorker(ctx, conn.tc, conn.db, bus, lib, conn.metrics, box)
		if err != nil {
			return err
		}
		defer w.Stop()
		retention, err := eventRetention()
		if err != nil {
			return err
		}
		go trimEvents(ctx, conn.db, retention, conn.log)
		if box == nil {
			conn.log.Info("PARLEY_SECRET_KEY is not set: webhooks are neither created nor delivered, integrations do not run, AI tokens are not used (only PARLEY_LLM_*)")
		} else if err := startDispatcher(ctx, conn.db, box, conn.log); err != nil {
			return err
		}
		// The integrations' workflows (Telegram polling or webhook, and the
		// relay of replies) send users' messages into dialogs.
		settings, err := engineSettings()
		if err != nil {
			return err
		}
		svc := &dialogs.Service{Store: conn.db, Temporal: conn.tc, Logger: conn.log, Settings: settings, Bus: bus, Metrics: conn.metrics,
			Files: filesDir(cfg.data)} // Telegram users' files, shared with serve
		cw, err := startChannels(conn.tc, svc, box, bus, conn.log)
		if err != nil {
			return err
		}
		defer cw.Stop()
		// A worker has no API listener: its metrics are served only on
		// PARLEY_METRICS_ADDR.
		if err := serveMetrics(ctx, conn.metrics, conn.log, stdout); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Parley worker polling %s on %s\n", cfg.namespace, cfg.temporal)
		<-ctx.Done()
		return nil
	})
}

// connection is the database, Temporal client and metrics of serve and worker.
type connection struct {
	db      store.Store
	tc      client.Client
	log     *slog.Logger
	metrics *metrics.Metrics
}

func connect(ctx context.Context, cfg *prodConfig) (*connection, error) {
	log := newLogger()
	db, err := openStore(ctx, cfg.database)
	if err != nil {
		return nil, err
	}
	m := metrics.New()
	tc, err := dialTemporal(cfg.temporal, cfg.namespace, log, m)
	if err != nil {
		m.Close()
		db.Close()
		return nil, fmt.Errorf("connecting to Temporal at %s: %w", cfg.temporal, err)
	}
	return &connection{db: db, tc: tc, log: log, metrics: m}, nil
}

func (c *connection) close() {
	c.tc.Close()
	c.db.Close()
	c.metrics.Close()
}

// runMigrate applies the database migrations and exits.
func runMigrate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := prodFlags(fs, false)
	if err := fs.Parse(args); err != nil {
		return 2
	}
	return exitOn(stderr, "migrate", cfg.check(), func(ctx context.Context) error {
		db, err := openStore(ctx, cfg.database)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, "The database is up to date.")
		return db.Close()
	})
}

// exitOn runs fn until SIGINT or SIGTERM and turns its error into an exit code.
func exitOn(stderr io.Writer, cmd string, precheck error, fn func(ctx context.Context) error) int {
	if precheck != nil {
		fmt.Fprintf(stderr, "parley %s: %v\n", cmd, precheck)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := fn(ctx); err != nil {
		fmt.Fprintf(stderr, "parley %s: %v\n", cmd, err)
		return 1
	}
	return 0
}
