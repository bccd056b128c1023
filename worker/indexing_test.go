package worker

import (
	"testing"

	"github.com/parleyhq/parley/knowledge"
)

// TestIndexWorkflowID: adding a file twice joins one indexing workflow;
// adding it again after taking it out starts another, so the new file
// never waits on a run that is finishing the old one.
func TestIndexWorkflowID(t *testing.T) {
	first := knowledge.Job{ProjectID: 1, StoreUUID: "vs_a", DocumentUUID: "file-b", Added: 1000}
	if twice := first; IndexWorkflowID(first) != IndexWorkflowID(twice) {
		t.Error("a file added twice has two workflow ids")
	}
	again := first
	again.Added = 1001
	if IndexWorkflowID(first) == IndexWorkflowID(again) {
		t.Errorf("a file added again shares workflow %s with its first addition", IndexWorkflowID(first))
	}
}
