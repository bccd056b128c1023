//go:build !slim

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/parleyhq/parley/devtemporal"
	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/events"
	"github.com/parleyhq/parley/metrics"
	"github.com/parleyhq/parley/store"
)

// buildNote ends the usage text; the full build has every command (see slim.go).
const buildNote = ""

const (
	defaultAdminEmail    = "admin@parley.local"
	defaultAdminPassword = "parley"
)

// runDev runs everything in one process: the embedded Temporal server, the
// worker, the HTTP API and the SQLite store, all under one data directory.
func runDev(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("dev", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := stringFlag(fs, "addr", "PARLEY_ADDR", "127.0.0.1:8080", "HTTP listen address")
	data := stringFlag(fs, "data", "PARLEY_DATA", ".data", "directory for the databases; keep it to keep every dialog")
	flowsDir := stringFlag(fs, "flows", "PARLEY_FLOWS", "examples/bots", "directory of bot files published at start")
	knowledgeDir := stringFlag(fs, "knowledge", "PARLEY_KNOWLEDGE", "examples/knowledge", "directory whose folders become vector stores (by folder name) at start")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := dev(ctx, devConfig{addr: *addr, data: *data, flows: *flowsDir, knowledge: *knowledgeDir}, stdout); err != nil {
		fmt.Fprintf(stderr, "parley dev: %v\n", err)
		return 1
	}
	return 0
}

type devConfig struct {
	addr, data, flows, knowledge string
}

func dev(ctx context.Context, cfg devConfig, stdout io.Writer) error {
	devBilling = true // accounts open with a bonus, so nothing blocks
	log := newLogger()
	if err := os.MkdirAll(cfg.data, 0o755); err != nil {
		return err
	}
	if err := setWorkflowCache(); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "Starting the embedded Temporal server (the first start creates its database)...")
	ts, err := startDevTemporal(ctx, cfg.data, log)
	if err != nil {
		return err
	}
	defer ts.Stop()
	db, err := openStore(ctx, filepath.Join(cfg.data, "parley.db"))
	if err != nil {
		return fmt.Errorf("opening the store: %w", err)
	}
	defer db.Close()
	m := metrics.New()
	defer m.Close()
	tc, err := dialTemporal(ts.HostPort(), ts.Namespace(), log, m)
	if err != nil {
		return fmt.Errorf("connecting to the embedded Temporal server: %w", err)
	}
	defer tc.Close()
	boot, err := bootstrap(ctx, db, cfg.data)
	if err != nil {
		return fmt.Errorf("setting up the dev project: %w", err)
	}
	settings, err := engineSettings()
	if err != nil {
		return err
	}
	// One process: the worker, the service and the event streams share
	// one in-memory bus. Closing it when ctx ends lets streams finish, so
	// the HTTP server can shut down.
	bus := events.NewMemory()
	context.AfterFunc(ctx, bus.Close)
	db.OnEvents(events.Announce(bus))
	svc := &dialogs.Service{Store: db, Temporal: tc, Logger: log, Settings: settings, Bus: bus, Metrics: m, Files: filesDir(cfg.data)}
	bots := publishDir(ctx, svc, boot.projectID, cfg.flows, stdout)
	lib, closeLib, err := newLibrary(ctx, db, tc, cfg.data)
	if err != nil {
		return err
	}
	defer closeLib()
	stores := loadKnowledgeDir(ctx, lib, boot.projectID, cfg.knowledge, stdout)
	box, err := secretKey(cfg.data)
	if err != nil {
		return err
	}
	w, err := startWorker(ctx, tc, db, bus, lib, m, box)
	if err != nil {
		return err
	}
	defer w.Stop()
	retention, err := eventRetention()
	if err != nil {
		return err
	}
	go trimEvents(ctx, db, retention, log)
	if err := startDispatcher(ctx, db, box, log); err != nil {
		return err
	}
	cw, err := startChannels(tc, svc, box, bus, log)
	if err != nil {
		return err
	}
	defer cw.Stop()
	if err := serveMetrics(ctx, m, log, stdout); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w (set --addr or PARLEY_ADDR to another address)", cfg.addr, err)
	}
	printWelcome(stdout, ln.Addr().String(), boot, bots, stores)
	h, err := newHandler(db, svc, log, cfg.data, lib, ln.Addr(), box)
	if err != nil {
		return err
	}
	return serveHTTP(ctx, ln, h)
}

// startDevTemporal starts the embedded Temporal server under dataDir.
func startDevTemporal(ctx context.Context, dataDir string, l *slog.Logger) (*devtemporal.Server, error) {
	ts, err := devtemporal.Start(ctx, devtemporal.Options{DataDir: dataDir, Logger: l})
	if err != nil {
		return nil, fmt.Errorf("starting the embedded Temporal server: %w", err)
	}
	return ts, nil
}

func printWelcome(w io.Writer, addr string, boot *devBootstrap, bots, stores []string) {
	url := "http://" + addr
	fmt.Fprintf(w, `
Parley is running at %s
  web app:     %s/ui (the flow editor; sign in with the admin login)
  admin login: %s / %s
  API key:     %s
  bots:        %s
  knowledge:   %s (vector stores; indexing runs in the background)

Try it:
  curl -s -X POST %s/v1/bots/support/dialogs -H 'Authorization: Bearer %s' -d '{}'
  curl -s -X POST %s/v1/dialogs/<id>/messages -H 'Authorization: Bearer %s' -d '{"text": "Billing"}'
  curl -s -u %s:%s %s/api/v2/conversations              # the Bot.one API

Press Ctrl+C to stop; dialogs survive restarts with the same --data.
`, url, url, boot.email, boot.password, boot.apiKey, strings.Join(bots, ", "), strings.Join(stores, ", "), url, boot.apiKey, url, boot.apiKey, boot.email, boot.password, url)
}

// publishDir publishes every bot file of dir that validates, and reports
// the ones that do not; dev starts anyway.
func publishDir(ctx context.Context, svc *dialogs.Service, projectID int64, dir string, w io.Writer) []string {
	paths, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
	var slugs []string
	for _, path := range paths {
		if isTestFile(path) {
			continue
		}
		src, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(w, "skipping %s: %v\n", path, err)
			continue
		}
		pub, err := svc.Publish(ctx, projectID, "", string(src), "parley dev")
		var flowErr *dialogs.FlowError
		if errors.As(err, &flowErr) {
			fmt.Fprintf(w, "skipping %s, it has errors:\n", path)
			for _, p := range flowErr.Problems {
				fmt.Fprintf(w, "  %s\n", p)
			}
			continue
		}
		if err != nil {
			fmt.Fprintf(w, "skipping %s: %v\n", path, err)
			continue
		}
		slugs = append(slugs, fmt.Sprintf("%s (BotID %d)", pub.Bot.Slug, pub.Bot.ID))
	}
	sort.Strings(slugs)
	return slugs
}

// devBootstrap is the dev project and how to reach it.
type devBootstrap struct {
	projectID               int64
	email, password, apiKey string
}

// bootstrap creates the dev organization, project, admin and API key on the
// first start and finds them again afterwards. The generated API key is
// kept in the data directory so every start can print it.
func bootstrap(ctx context.Context, db store.Store, dataDir string) (*devBootstrap, error) {
	b := &devBootstrap{email: envOr("PARLEY_ADMIN_EMAIL", defaultAdminEmail), password: envOr("PARLEY_ADMIN_PASSWORD", defaultAdminPassword)}
	user, err := db.Authenticate(ctx, b.email, b.password)
	if store.ErrorCode(err) == store.EUNAUTHORIZED {
		user, err = createAdmin(ctx, db, b.email, b.password)
	}
	if err == nil {
		err = db.SetAdmin(ctx, user.ID, true) // the admin routes are theirs
	}
	if err != nil {
		return nil, err
	}
	ms, err := db.Memberships(ctx, user.ID)
	if err != nil || len(ms) == 0 {
		return nil, fmt.Errorf("the admin %s has no project (%v); remove the data directory to start over", b.email, err)
	}
	b.projectID = ms[0].ProjectID
	b.apiKey, err = devAPIKey(ctx, db, b.projectID, dataDir)
	return b, err
}

func createAdmin(ctx context.Context, db store.Store, email, password string) (*store.User, error) {
	org, err := db.CreateOrganization(ctx, "Dev")
	if err != nil {
		return nil, err
	}
	project, err := db.CreateProject(ctx, org.ID, "Dev")
	if err != nil {
		return nil, err
	}
	user, err := db.CreateUser(ctx, email, "Admin", password)
	if store.ErrorCode(err) == store.ECONFLICT {
		return nil, fmt.Errorf("%s exists with another password; set PARLEY_ADMIN_PASSWORD to it, or remove the data directory", email)
	}
	if err != nil {
		return nil, err
	}
	return user, db.SetMembership(ctx, project.ID, user.ID, store.RoleOwner)
}

// devAPIKey registers PARLEY_DEV_API_KEY, or the key generated on the
// first start (kept in dev-api-key under the data directory).
func devAPIKey(ctx context.Context, db store.Store, projectID int64, dataDir string) (string, error) {
	path := filepath.Join(dataDir, "dev-api-key")
	key := os.Getenv("PARLEY_DEV_API_KEY")
	if key == "" {
		if saved, err := os.ReadFile(path); err == nil {
			key = string(saved)
		}
	}
	if key == "" {
		k, _, err := db.CreateAPIKey(ctx, projectID, "dev")
		if err != nil {
			return "", err
		}
		return k, os.WriteFile(path, []byte(k), 0o600)
	}
	if _, err := db.RegisterAPIKey(ctx, projectID, "dev", key); err != nil {
		return "", fmt.Errorf("registering the dev API key: %w", err)
	}
	return key, nil
}
