// Package devtemporal runs a single-node Temporal server inside the parley process, persisting
// to a SQLite file: the embedded server of `parley dev`. It links all of go.temporal.io/server,
// which is why it is a package of its own that production builds (-tags slim) leave out.
package devtemporal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/membership/static"
	"go.temporal.io/server/common/primitives"
	"go.temporal.io/server/temporal"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// host is the only address the server listens on: nothing is exposed to the network.
const host = "127.0.0.1"

// Options configures the embedded Temporal server.
type Options struct {
	DataDir   string       // the SQLite file lives at DataDir/temporal.db; created if missing
	Namespace string       // default "default"; created on first start
	Port      int          // frontend gRPC port on 127.0.0.1; 0 picks a free port
	Logger    *slog.Logger // where the server's own logs go (at warn level and above); nil discards
}

// Server is a single-node Temporal server persisting to SQLite, run inside the parley
// process by `parley dev`.
type Server struct {
	server    temporal.Server
	hostPort  string
	namespace string
	stopping  *atomic.Bool // silences the server's expected warnings while it shuts down
	stopOnce  sync.Once
	stopErr   error
}

// Start starts the embedded server and returns once its frontend answers for the
// namespace. ctx bounds only the startup; use Stop to shut the server down.
func Start(ctx context.Context, opts Options) (*Server, error) {
	if opts.DataDir == "" {
		return nil, errors.New("no data dir: set Options.DataDir")
	}
	if opts.Namespace == "" {
		opts.Namespace = "default"
	}
	// Absolute, so the database stays the same file if the process changes directory.
	dataDir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("resolving the data dir: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the data dir: %w", err)
	}

	sqlCfg, err := prepareDatabase(filepath.Join(dataDir, dbFile), opts.Namespace)
	if err != nil {
		return nil, err
	}

	ports, err := pickPorts(opts.Port)
	if err != nil {
		return nil, err
	}
	hostPort := net.JoinHostPort(host, strconv.Itoa(ports[0]))
	cfg := serverConfig(sqlCfg, ports)

	// Static hosts replace ringpop membership: a single process needs no gossip, so there are
	// no membership ports to open and no join delay at startup.
	hosts := map[primitives.ServiceName]static.Hosts{}
	for _, name := range temporal.DefaultServices {
		addr := net.JoinHostPort(host, strconv.Itoa(cfg.Services[name].RPC.GRPCPort))
		hosts[primitives.ServiceName(name)] = static.SingleLocalHost(addr)
	}

	stopping := new(atomic.Bool)
	srv, err := startServer(
		temporal.WithConfig(cfg),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(hosts),
		temporal.WithLogger(newServerLogger(opts.Logger, stopping)),
		// Local dev only: anyone who can reach 127.0.0.1 may do anything.
		temporal.WithAuthorizer(authorization.NewNoopAuthorizer()),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper {
			return authorization.NewNoopClaimMapper()
		}),
		temporal.WithDynamicConfigClient(DynamicConfig()),
	)
	if err != nil {
		return nil, err
	}

	s := &Server{server: srv, hostPort: hostPort, namespace: opts.Namespace, stopping: stopping}
	if err := waitReady(ctx, hostPort, opts.Namespace); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

// startServer creates and starts the server, turning a Fatal logged while doing so (see
// serverLogger) into an error. On failure Start has already stopped the services it started.
func startServer(opts ...temporal.ServerOption) (srv temporal.Server, err error) {
	defer func() {
		if r := recover(); r != nil {
			fatal, ok := r.(serverFatal)
			if !ok {
				panic(r)
			}
			srv, err = nil, fatal
		}
	}()
	if srv, err = temporal.NewServer(opts...); err != nil {
		return nil, fmt.Errorf("creating the server: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("starting the server: %w", err)
	}
	return srv, nil
}

// HostPort is the frontend address for SDK clients, "127.0.0.1:PORT".
func (s *Server) HostPort() string { return s.hostPort }

// Namespace is the namespace registered for parley's workflows.
func (s *Server) Namespace() string { return s.namespace }

// Stop shuts the server down; state stays in the database. Safe to call more than once.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		s.stopping.Store(true)
		s.stopErr = s.server.Stop()
	})
	return s.stopErr
}

// pickPorts returns the frontend gRPC, history, matching, worker and frontend HTTP ports.
// The frontend gRPC port is the given one, checked to be free so that a taken port is a
// plain error, or a free one if 0; the others are always free ones. Each port is found by
// binding it and released just before the server binds it again: the window is tiny and
// this is a dev tool. All listeners stay open until the end so no port is handed out twice.
func pickPorts(frontend int) ([]int, error) {
	var ports []int
	for _, want := range []int{frontend, 0, 0, 0, 0} {
		l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(want)))
		if err != nil {
			return nil, fmt.Errorf("reserving a port: %w", err)
		}
		defer l.Close()
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// waitReady polls the frontend until it serves the namespace. Start returns once the
// services are running, but the frontend may still answer Unavailable for a moment while
// its namespace cache and membership settle.
func waitReady(ctx context.Context, hostPort, namespace string) error {
	conn, err := grpc.NewClient(hostPort, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return fmt.Errorf("connecting to the frontend: %w", err)
	}
	defer conn.Close()
	svc := workflowservice.NewWorkflowServiceClient(conn)

	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		_, err := svc.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace})
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for the frontend %s: %w (last error: %v)", hostPort, ctx.Err(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
