package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/parleyhq/parley/engine/convtest"
	"github.com/parleyhq/parley/flows"
	"github.com/parleyhq/parley/nodes"
)

func runValidate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "output format: text (path:line:col: code: message) or json")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: parley validate [--format text|json] FILE...\n\nChecks bot files and prints every problem. Exit code 0: all valid (warnings allowed); 1: errors found; 2: bad usage.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "parley validate: --format must be text or json, got %q\n", *format)
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	var all flows.Problems
	for _, path := range fs.Args() {
		all = append(all, validateFile(path)...)
	}
	if *format == "json" {
		writeJSON(stdout, all)
	} else {
		for _, p := range all {
			fmt.Fprintln(stdout, p)
		}
		errs := len(all.Errors())
		fmt.Fprintf(stderr, "%d files checked: %d errors, %d warnings\n", fs.NArg(), errs, len(all)-errs)
	}
	if all.HasErrors() {
		return 1
	}
	return 0
}

func validateFile(path string) flows.Problems {
	if isTestFile(path) {
		if _, err := convtest.Load(path); err != nil {
			return flows.Problems{{File: path, Line: 1, Column: 1, Code: "test_file", Message: err.Error()}}
		}
		return nil
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return flows.Problems{{File: path, Line: 1, Column: 1, Code: "read_error", Message: err.Error()}}
	}
	_, problems := nodes.Load(path, src)
	return problems
}

// validateReport is the --format json output.
type validateReport struct {
	Valid    bool           `json:"valid"`
	Problems flows.Problems `json:"problems"`
}

func writeJSON(w io.Writer, problems flows.Problems) {
	if problems == nil {
		problems = flows.Problems{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(validateReport{Valid: !problems.HasErrors(), Problems: problems})
}
