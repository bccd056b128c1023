package engine_test

import (
	"testing"

	"go.temporal.io/sdk/client"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
)

const scanBot = `bot: scan
variables:
  scan: { type: object }
nodes:
  ask:
    kind: question
    text: A picture of your ID, please.
    input: { type: file, accept: [image/*] }
    save: scan
    next: done
  done:
    kind: end
`

// TestFileOfAnotherTypeIsRefused: the message update's validator refuses
// a file the question waiting for it does not accept, from the workflow's
// own state, so nothing is written to the dialog's history and the caller
// can say 415. Anything else the user sends is still an answer to judge.
func TestFileOfAnotherTypeIsRefused(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	e.Do("PUT", "/v1/bots/scan/flow", e.A.Bearer(), scanBot)
	var created struct{ ID string }
	e.Do("POST", "/v1/bots/scan/dialogs", e.A.Bearer(), nil).JSON(t, &created)

	send := func(in engine.MessageInput) error {
		h, err := e.Temporal.UpdateWorkflow(t.Context(), client.UpdateWorkflowOptions{WorkflowID: engine.WorkflowID(created.ID),
			UpdateName: engine.UpdateMessage, Args: []any{in}, WaitForStage: client.WorkflowUpdateStageCompleted})
		if err != nil {
			return err
		}
		return h.Get(t.Context(), nil)
	}
	pdf := &engine.FileRef{ID: 1, Name: "id.pdf", MIMEType: "application/pdf", Size: 10, URL: "http://x/1"}
	if err := send(engine.MessageInput{File: pdf}); !engine.IsErrorType(err, engine.ErrUnsupported) {
		t.Fatalf("a PDF for an image question: %v, want a %s rejection", err, engine.ErrUnsupported)
	}
	png := &engine.FileRef{ID: 2, Name: "id.png", MIMEType: "image/png", Size: 10, URL: "http://x/2"}
	if err := send(engine.MessageInput{File: png}); err != nil {
		t.Fatalf("a PNG for an image question: %v", err)
	}
}
