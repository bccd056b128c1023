package main

import (
	"fmt"
	"io"

	"github.com/parleyhq/parley/flows"
	"github.com/parleyhq/parley/nodes"
)

func runSchema(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "Usage: parley schema > schemas/flow.schema.json")
		return 2
	}
	out, err := flows.JSONSchema(nodes.Language())
	if err != nil {
		fmt.Fprintf(stderr, "parley schema: %v\n", err)
		return 1
	}
	_, _ = stdout.Write(out)
	return 0
}
