package engine

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// ActivityTitle asks the model for a dialog's title.
const ActivityTitle = "GenerateTitle"

// TitleRequest asks for a short title of a dialog from its first exchange.
type TitleRequest struct {
	ProjectID int64
	DialogID  int64
	Model     string
	Question  string
	Answer    string
}

// wantTitle remembers, after the first answer of a bot with
// memory.generateTitle, to title the dialog; titleLoop does it later.
func (d *dialog) wantTitle(model, answer string) {
	if d.s.Title != "" || d.s.TitleAsked || d.s.Input == "" {
		return
	}
	d.s.TitleAsked = true
	d.s.TitleWanted = &TitleRequest{ProjectID: d.p.ProjectID, DialogID: d.p.DialogID, Model: model, Question: d.s.Input, Answer: answer}
}

// titleLoop titles dialogs off the update's path, so the first reply does
// not wait for a second model call. A failure leaves the dialog untitled.
func (d *dialog) titleLoop(ctx workflow.Context) {
	for {
		if err := workflow.Await(ctx, func() bool { return d.s.TitleWanted != nil }); err != nil {
			return
		}
		req := *d.s.TitleWanted
		actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: time.Minute,
			RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 3, NonRetryableErrorTypes: []string{ErrLLMNotConfigured}},
		})
		var title string
		err := workflow.ExecuteActivity(actx, ActivityTitle, req).Get(ctx, &title)
		if err != nil {
			workflow.GetLogger(ctx).Warn("titling the dialog failed", "error", err)
		}
		d.withTurn(ctx, func(*turn) {
			d.s.TitleWanted = nil
			if err == nil && d.s.Title == "" {
				d.s.Title = title
			}
		})
		d.flushNow = true // no caller stores this change
	}
}
