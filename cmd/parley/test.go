package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/parleyhq/parley/engine/convtest"
)

func runTest(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: parley test FILE.test.yaml...\n\nRuns conversation tests in Temporal's time-skipping test environment. Exit code 0: all pass; 1: a test failed; 2: bad usage or an unreadable test file.")
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	code := 0
	for _, path := range fs.Args() {
		code = max(code, runSuite(context.Background(), path, stdout, stderr))
	}
	return code
}

// runSuite runs one test file and prints go-test-like lines.
func runSuite(ctx context.Context, path string, stdout, stderr io.Writer) int {
	start := time.Now()
	s, err := convtest.Load(path)
	if err != nil {
		fmt.Fprintf(stderr, "parley test: %v\n", err)
		return 2
	}
	res, err := convtest.Run(ctx, s)
	if err != nil {
		fmt.Fprintf(stderr, "parley test: %v\n", err)
		return 2
	}
	for _, f := range res.Failures {
		fmt.Fprintf(stdout, "%s:%s\n", path, f)
	}
	failed := len(s.Tests) - res.Passed
	status := "ok  "
	if failed > 0 {
		status = "FAIL"
	}
	fmt.Fprintf(stdout, "%s %s: %d passed, %d failed (%s)\n", status, path, res.Passed, failed, time.Since(start).Round(time.Millisecond))
	if failed > 0 {
		return 1
	}
	return 0
}

// isTestFile reports whether path is a conversation test file.
func isTestFile(path string) bool { return strings.HasSuffix(path, ".test.yaml") }
