//go:build slim

package main

import (
	"fmt"
	"io"
)

// The slim build (-tags slim) is for production: serve and worker talk to
// an external Temporal cluster, so they need only the SDK. Leaving out dev
// and bench, the only users of the embedded server, keeps go.temporal.io/server
// and its cloud clients out of the binary (see slim_test.go).

// buildNote ends the usage text, so `parley --help` says what is missing.
const buildNote = "\nThis is the slim build: dev, bench and temporal need the embedded Temporal server and are left out.\n"

func runDev(_ []string, _, stderr io.Writer) int { return noEmbeddedServer("dev", stderr) }

func runBench(_ []string, _, stderr io.Writer) int { return noEmbeddedServer("bench", stderr) }

func runTemporal(_ []string, _, stderr io.Writer) int { return noEmbeddedServer("temporal", stderr) }

// noEmbeddedServer explains what to run instead, with the usage exit code.
func noEmbeddedServer(cmd string, stderr io.Writer) int {
	fmt.Fprintf(stderr, `parley %s: this is the slim build of parley, which has no embedded Temporal server.
Use the full build (go install github.com/parleyhq/parley/cmd/parley@latest, or make build),
or run parley serve and parley worker against a Temporal cluster: set PARLEY_TEMPORAL_ADDRESS
(and PARLEY_TEMPORAL_NAMESPACE) and PARLEY_DATABASE_URL.
`, cmd)
	return 2
}
