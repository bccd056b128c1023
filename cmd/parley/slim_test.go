package main

import (
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// serverModule is the embedded Temporal server; the slim build must not link it.
const serverModule = "go.temporal.io/server"

// TestSlimBuildHasNoTemporalServer keeps the production build lean: with
// -tags slim nothing of go.temporal.io/server (and its Kubernetes, AWS
// and GCP clients) may be in parley's dependency graph.
func TestSlimBuildHasNoTemporalServer(t *testing.T) {
	out := goCmd(t, "list", "-deps", "-tags", "slim", "-f", `{{.ImportPath}}: {{join .Imports " "}}`, ".")
	imports := map[string][]string{}
	var root string // go list -deps prints the named package last
	for line := range strings.Lines(out) {
		pkg, deps, _ := strings.Cut(strings.TrimSpace(line), ":")
		imports[pkg], root = strings.Fields(deps), pkg
	}
	if chain := importChain(imports, root, isServer); chain != nil {
		t.Errorf("the slim build links %s through\n  %s\nonly files with //go:build !slim may import it (or devtemporal)",
			serverModule, strings.Join(chain, "\n  -> "))
	}
}

// TestSlimBuildCompiles vets the slim build, its tests included, so that
// code only built with the tag cannot rot unnoticed.
func TestSlimBuildCompiles(t *testing.T) {
	goCmd(t, "vet", "-tags", "slim", ".")
}

// TestSlimDevSaysWhatToRun builds the slim binary and runs `parley dev`:
// it must exit 2 and say how to get a server.
func TestSlimDevSaysWhatToRun(t *testing.T) {
	if testing.Short() {
		t.Skip("links a binary; skipped with -short")
	}
	bin := filepath.Join(t.TempDir(), "parley-slim")
	goCmd(t, "build", "-tags", "slim", "-o", bin, ".")
	out, err := exec.CommandContext(t.Context(), bin, "dev").CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 2 {
		t.Errorf("parley dev: %v, want exit status 2", err)
	}
	for _, want := range []string{"no embedded Temporal server", "full build", "parley serve", "PARLEY_TEMPORAL_ADDRESS"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("parley dev says\n%s\nwhich does not mention %q", out, want)
		}
	}
}

// importChain is a shortest import path from root to a package matching
// want, which shows where to cut; nil if there is none.
func importChain(imports map[string][]string, root string, want func(string) bool) []string {
	from := map[string]string{root: ""}
	for queue := []string{root}; len(queue) > 0; queue = queue[1:] {
		pkg := queue[0]
		if want(pkg) {
			var chain []string
			for ; pkg != ""; pkg = from[pkg] {
				chain = append([]string{pkg}, chain...)
			}
			return chain
		}
		for _, dep := range imports[pkg] {
			if _, seen := from[dep]; !seen {
				from[dep] = pkg
				queue = append(queue, dep)
			}
		}
	}
	return nil
}

func isServer(pkg string) bool {
	return pkg == serverModule || strings.HasPrefix(pkg, serverModule+"/")
}

// goCmd runs the go command in this package's directory and returns its
// standard output; a failure fails the test with what go printed.
func goCmd(t *testing.T, args ...string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("finding the go command: %v", err)
	}
	cmd := exec.CommandContext(t.Context(), goTool, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}
