package dialogs

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"go.temporal.io/api/serviceerror"
	serverupdate "go.temporal.io/server/service/history/workflow/update"
)

// TestRetryableUpdate: the server's answers for an update it could not run
// yet are sent again; a dialog that ended, a refused update and the
// caller's own deadline are not. (Under load, TestContinueAsNewKeepsTheDialog
// meets the first kind when an update races a continue-as-new.)
func TestRetryableUpdate(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{serviceerror.NewWorkflowNotReady("Unable to perform workflow execution update due to unexpected workflow task failure."), true},
		{serviceerror.NewUnavailable("workflow update was aborted"), true},
		{serverupdate.AbortedByWorkflowClosingErr, true},
		{fmt.Errorf("wrapped: %w", serverupdate.AbortedByServerErr), true},
		{fmt.Errorf("wrapped: %w", serviceerror.NewWorkflowNotReady("x")), true},
		{serviceerror.NewNotFound("workflow execution already completed"), false},
		{serviceerror.NewInvalidArgument("bad"), false},
		{context.DeadlineExceeded, false},
		{errors.New("something else"), false},
	} {
		if got := retryableUpdate(tc.err); got != tc.want {
			t.Errorf("retryableUpdate(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// TestClosingRunMessage holds the one message matched by text to the
// server's own error: a Temporal upgrade that rewords it fails here, not
// in production under load.
func TestClosingRunMessage(t *testing.T) {
	if !abortedByClosingRun(serverupdate.AbortedByWorkflowClosingErr) {
		t.Fatalf("the server's AbortedByWorkflowClosingErr is %q; dialogs matches %q: update closingRunMessage",
			serverupdate.AbortedByWorkflowClosingErr, closingRunMessage)
	}
	if abortedByClosingRun(serviceerror.NewNotFound("workflow execution already completed")) {
		t.Fatal("a dialog that ended is not a closing run")
	}
}
