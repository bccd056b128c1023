package server_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDialectsCallUseCases: the HTTP layer drives dialogs through the
// typed use cases of package dialogs, which keep idempotency, the store's
// acknowledgement and validation in one place; a dialect that imports the
// engine would build workflow inputs or name updates itself.
func TestDialectsCallUseCases(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}: {{join .Imports " "}}`, "./...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, imports, _ := strings.Cut(line, ": ")
		if strings.HasSuffix(pkg, "/servertest") { // test wiring starts a worker
			continue
		}
		for _, imp := range strings.Fields(imports) {
			if strings.HasSuffix(imp, "/parley/engine") {
				t.Errorf("%s imports %s; call the use cases of package dialogs instead", pkg, imp)
			}
		}
	}
}
