package worker

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
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

const (
	// devHistoryShards is the number of history shards of the dev server. Temporal writes it
	// into the database on first start and then ignores the configured value (with a warning),
	// so changing this constant only affects new data dirs. 4 lets a few dialogs progress in
	// parallel without the per-shard overhead of a real cluster.
	devHistoryShards = 4

	// devClusterName is stored in the database too; it must never change.
	devClusterName = "active"

	// devHost is the only address the dev server listens on: nothing is exposed to the network.
	devHost = "127.0.0.1"

	// devDBFile is the SQLite file inside DataDir holding all Temporal state.
	devDBFile = "temporal.db"
)

// DevServerOptions configures the embedded Temporal server.
type DevServerOptions struct {
	DataDir   string       // the SQLite file lives at DataDir/temporal.db; created if missing
	Namespace string       // default "default"; created on first start
	Port      int          // frontend gRPC port on 127.0.0.1; 0 picks a free port
	Logger    *slog.Logger // where the server's own logs go (at warn level and above); nil discards
}

// DevServer is a single-node Temporal server persisting to SQLite, run inside the parley
// process by `parley dev`.
type DevServer struct {
	server    temporal.Server
	hostPort  string
	namespace string
	stopping  *atomic.Bool // silences the server's expected warnings while it shuts down
	stopOnce  sync.Once
	stopErr   error
}

// StartDevServer starts the embedded server and returns once its frontend answers for the
// namespace. ctx bounds only the startup; use Stop to shut the server down.
func StartDevServer(ctx context.Context, opts DevServerOptions) (*DevServer, error) {
	if opts.DataDir == "" {
		return nil, errors.New("dev server: DataDir is required")
	}
	if opts.Namespace == "" {
		opts.Namespace = "default"
	}
	// Absolute, so the database stays the same file if the process changes directory.
	dataDir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("dev server: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("dev server: %w", err)
	}

	sqlCfg, err := prepareDatabase(filepath.Join(dataDir, devDBFile), opts.Namespace)
	if err != nil {
		return nil, fmt.Errorf("dev server: %w", err)
	}

	ports, err := pickPorts(opts.Port)
	if err != nil {
		return nil, fmt.Errorf("dev server: %w", err)
	}
	hostPort := net.JoinHostPort(devHost, strconv.Itoa(ports[0]))
	cfg := serverConfig(sqlCfg, ports)

	// Static hosts replace ringpop membership: a single process needs no gossip, so there are
	// no membership ports to open and no join delay at startup.
	hosts := map[primitives.ServiceName]static.Hosts{}
	for _, name := range temporal.DefaultServices {
		addr := net.JoinHostPort(devHost, strconv.Itoa(cfg.Services[name].RPC.GRPCPort))
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
		temporal.WithDynamicConfigClient(DevDynamicConfig()),
	)
	if err != nil {
		return nil, fmt.Errorf("dev server: %w", err)
	}

	s := &DevServer{server: srv, hostPort: hostPort, namespace: opts.Namespace, stopping: stopping}
	if err := waitReady(ctx, hostPort, opts.Namespace); err != nil {
		_ = s.Stop()
		return nil, fmt.Errorf("dev server: %w", err)
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
		return nil, err
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	return srv, nil
}

// HostPort is the frontend address for SDK clients, "127.0.0.1:PORT".
func (s *DevServer) HostPort() string { return s.hostPort }

// Namespace is the namespace registered for parley's workflows.
func (s *DevServer) Namespace() string { return s.namespace }

// Stop shuts the server down; state stays in the database. Safe to call more than once.
func (s *DevServer) Stop() error {
	s.stopOnce.Do(func() {
		s.stopping.Store(true)
		s.stopErr = s.server.Stop()
	})
	return s.stopErr
}

// prepareDatabase creates the schema if the file is new and registers the namespace if it is
// missing, so that every start after the first one reuses the existing state untouched.
func prepareDatabase(path, namespace string) (*config.SQL, error) {
	sqlCfg := &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: path,
		ConnectAttributes: map[string]string{
			"mode": "rwc", // read-write, create the file if missing
			// WAL lets readers proceed during a write; with synchronous=NORMAL a crash of the
			// process loses nothing, only a power cut may drop the last commits.
			"journal_mode": "wal",
			"synchronous":  "NORMAL",
		},
	}

	// The schema is applied only to a new file: SetupSchema is not idempotent ("table already
	// exists"), and the presence of the file is what the lite server and the CLI check too.
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if err := sqliteschema.SetupSchema(sqlCfg); err != nil {
			// Remove the half-initialised file so the next run retries the setup instead of
			// running on a broken schema.
			for _, suffix := range []string{"", "-wal", "-shm"} {
				_ = os.Remove(path + suffix)
			}
			return nil, fmt.Errorf("set up schema in %s: %w", path, err)
		}
	} else if err != nil {
		return nil, err
	}

	// CreateNamespaces skips namespaces that already exist. Registering it in the database
	// before the server starts avoids waiting for the namespace cache to pick it up.
	ns, err := sqliteschema.NewNamespaceConfig(devClusterName, namespace, false, nil)
	if err != nil {
		return nil, err
	}
	if err := sqliteschema.CreateNamespaces(sqlCfg, ns); err != nil {
		return nil, fmt.Errorf("register namespace %q: %w", namespace, err)
	}
	return sqlCfg, nil
}

// serverConfig is the static config of a single-node cluster, everything on 127.0.0.1.
// ports are the frontend gRPC, history, matching, worker and frontend HTTP ports. Metrics,
// pprof and archival stay off. The HTTP API is on because the server warns on every start
// without it (Nexus needs it) and it is handy for poking at the server with curl.
func serverConfig(sqlCfg *config.SQL, ports []int) *config.Config {
	service := func(port int) config.Service {
		return config.Service{RPC: config.RPC{GRPCPort: port, BindOnIP: devHost}}
	}
	hostPort := net.JoinHostPort(devHost, strconv.Itoa(ports[0]))
	httpHostPort := net.JoinHostPort(devHost, strconv.Itoa(ports[4]))
	frontend := service(ports[0])
	frontend.RPC.HTTPPort = ports[4]

	cfg := &config.Config{}
	cfg.Global.Membership.BroadcastAddress = devHost
	cfg.Persistence = config.Persistence{
		DefaultStore:     "sqlite",
		VisibilityStore:  "sqlite",
		NumHistoryShards: devHistoryShards,
		DataStores:       map[string]config.DataStore{"sqlite": {SQL: sqlCfg}},
	}
	cfg.ClusterMetadata = &cluster.Config{
		EnableGlobalNamespace:    false,
		FailoverVersionIncrement: 10,
		MasterClusterName:        devClusterName,
		CurrentClusterName:       devClusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			// The addresses are refreshed in the database on every start, so new ports are fine.
			devClusterName: {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             hostPort,
				HTTPAddress:            httpHostPort,
			},
		},
	}
	cfg.DCRedirectionPolicy.Policy = "noop"
	cfg.Services = map[string]config.Service{
		string(primitives.FrontendService): frontend,
		string(primitives.HistoryService):  service(ports[1]),
		string(primitives.MatchingService): service(ports[2]),
		string(primitives.WorkerService):   service(ports[3]),
	}
	cfg.Archival.History.State = "disabled"
	cfg.Archival.Visibility.State = "disabled"
	cfg.NamespaceDefaults.Archival.History.State = "disabled"
	cfg.NamespaceDefaults.Archival.Visibility.State = "disabled"
	// The server's own system workers (scanner, scheduler...) connect through this address.
	cfg.PublicClient.HostPort = hostPort
	return cfg
}

// DevDynamicConfig tunes the defaults, which are sized for a production cluster, for one
// developer on one machine. Tests' in-process servers use it too (servertest.NewTemporal):
// with the default four partitions a task can wait in a partition no poller is on, and on
// a slow CI machine an activity sat there for over 30 s.
func DevDynamicConfig() dynamicconfig.StaticClient {
	return dynamicconfig.StaticClient{
		// One partition per task queue: no forwarding between partitions, so a task reaches
		// a waiting poller immediately. Partitions only pay off with many matching hosts.
		dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():  1,
		dynamicconfig.MatchingNumTaskqueueWritePartitions.Key(): 1,
		// The default (128k cached workflows) is far more memory than a dev box needs.
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key(): 8192,
		// Listing dialogs in the UI hits visibility; the default 10 rps throttles it quickly.
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
	}
}

// pickPorts returns the frontend gRPC, history, matching, worker and frontend HTTP ports.
// The frontend gRPC port is the given one, checked to be free so that a taken port is a
// plain error, or a free one if 0; the others are always free ones. Each port is found by
// binding it and released just before the server binds it again: the window is tiny and
// this is a dev tool. All listeners stay open until the end so no port is handed out twice.
func pickPorts(frontend int) ([]int, error) {
	var ports []int
	for _, want := range []int{frontend, 0, 0, 0, 0} {
		l, err := net.Listen("tcp", net.JoinHostPort(devHost, strconv.Itoa(want)))
		if err != nil {
			return nil, fmt.Errorf("port: %w", err)
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
		return err
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
			return fmt.Errorf("frontend %s not ready: %w (last error: %v)", hostPort, ctx.Err(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
