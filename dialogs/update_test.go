package dialogs

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"go.temporal.io/api/serviceerror"
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
		{serviceerror.NewNotFound("workflow update was aborted by closing workflow"), true},
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
