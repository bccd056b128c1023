// Command parley runs and checks Parley bots.
package main

import (
	"fmt"
	"io"
	"os"
)

const usage = `parley runs and checks Parley chatbots.

Usage:
  parley validate [--format text|json] FILE...   check bot files; exit 1 when any has errors
  parley schema                                  print the JSON Schema of bot files

Run 'parley COMMAND --help' for a command's flags.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command and returns the process exit code.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "validate":
		return runValidate(args[1:], stdout, stderr)
	case "schema":
		return runSchema(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "parley: unknown command %q\n\n%s", args[0], usage)
	return 2
}
