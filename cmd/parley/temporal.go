//go:build !slim

package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/parleyhq/parley/devtemporal"
)

// runTemporal runs the embedded Temporal server of `parley dev` as a
// process of its own, as `temporal server start-dev` does: several
// `parley serve` and `parley worker` processes on one machine share it
// (PARLEY_TEMPORAL_ADDRESS), and any of them can be killed and restarted
// while it keeps every dialog's history in its SQLite file.
func runTemporal(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("temporal", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := stringFlag(fs, "data", "PARLEY_DATA", ".data", "directory of the server's SQLite file (temporal.db); keep it to keep every dialog")
	port := fs.Int("port", 7233, "frontend gRPC port on 127.0.0.1 (PARLEY_TEMPORAL_ADDRESS of serve and worker); 0 picks a free one")
	namespace := stringFlag(fs, "namespace", "PARLEY_TEMPORAL_NAMESPACE", "default", "namespace to create and serve")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "parley temporal: unexpected argument %q; it takes only flags\n", fs.Arg(0))
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ts, err := devtemporal.Start(ctx, devtemporal.Options{DataDir: *data, Port: *port, Namespace: *namespace, Logger: newLogger()})
	if err != nil {
		fmt.Fprintf(stderr, "parley temporal: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "Temporal is serving namespace %q on %s (data in %s). Point parley serve and parley worker at it:\n"+
		"  PARLEY_TEMPORAL_ADDRESS=%s PARLEY_TEMPORAL_NAMESPACE=%s\nStop it with Ctrl-C.\n",
		ts.Namespace(), ts.HostPort(), *data, ts.HostPort(), ts.Namespace())
	<-ctx.Done()
	if err := ts.Stop(); err != nil {
		fmt.Fprintf(stderr, "parley temporal: stopping: %v\n", err)
		return 1
	}
	return 0
}
