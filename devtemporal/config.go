package devtemporal

import (
	"net"
	"strconv"

	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/primitives"
)

const (
	// historyShards is the number of history shards. Temporal writes it into the database on
	// first start and then ignores the configured value (with a warning), so changing this
	// constant only affects new data dirs. 4 lets a few dialogs progress in parallel without
	// the per-shard overhead of a real cluster.
	historyShards = 4

	// clusterName is stored in the database too; it must never change.
	clusterName = "active"
)

// serverConfig is the static config of a single-node cluster, everything on 127.0.0.1.
// ports are the frontend gRPC, history, matching, worker and frontend HTTP ports. Metrics,
// pprof and archival stay off. The HTTP API is on because the server warns on every start
// without it (Nexus needs it) and it is handy for poking at the server with curl.
func serverConfig(sqlCfg *config.SQL, ports []int) *config.Config {
	service := func(port int) config.Service {
		return config.Service{RPC: config.RPC{GRPCPort: port, BindOnIP: host}}
	}
	hostPort := net.JoinHostPort(host, strconv.Itoa(ports[0]))
	httpHostPort := net.JoinHostPort(host, strconv.Itoa(ports[4]))
	frontend := service(ports[0])
	frontend.RPC.HTTPPort = ports[4]

	cfg := &config.Config{}
	cfg.Global.Membership.BroadcastAddress = host
	cfg.Persistence = config.Persistence{
		DefaultStore:     "sqlite",
		VisibilityStore:  "sqlite",
		NumHistoryShards: historyShards,
		DataStores:       map[string]config.DataStore{"sqlite": {SQL: sqlCfg}},
	}
	cfg.ClusterMetadata = &cluster.Config{
		EnableGlobalNamespace:    false,
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			// The addresses are refreshed in the database on every start, so new ports are fine.
			clusterName: {
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

// DynamicConfig tunes the defaults, which are sized for a production cluster, for one
// developer on one machine. Tests' in-process servers use it too (servertest.NewTemporal):
// with the default four partitions a task can wait in a partition no poller is on, and on
// a slow CI machine an activity sat there for over 30 s.
func DynamicConfig() dynamicconfig.StaticClient {
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
