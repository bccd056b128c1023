package worker

import (
	"context"

	"go.temporal.io/sdk/temporal"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/store"
)

// payable refuses a model call the project's account cannot pay, before
// anything is asked or streamed, with a non-retryable
// ErrInsufficientBalance (the llm node then follows its on_error). With
// billing off it returns nil.
func (a *Activities) payable(ctx context.Context, projectID int64) error {
	err := a.Billing.CanCall(ctx, projectID)
	if store.ErrorCode(err) == store.EINSUFFICIENT {
		return temporal.NewNonRetryableApplicationError(store.ErrorMessage(err), engine.ErrInsufficientBalance, err)
	}
	return err
}

// charge charges the project for a model call that was made. A failure
// fails the activity, whose retry calls the model again: a call is never
// answered without being charged.
func (a *Activities) charge(ctx context.Context, projectID int64, model string, u llm.Usage, what string) error {
	_, err := a.Billing.ChargeUsage(ctx, projectID, model, u.PromptTokens, u.CompletionTokens, what)
	return err
}
