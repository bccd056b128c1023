package dialogs

import (
	"context"
	"strconv"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/store"
)

// IdempotencyHeader is the HTTP header a create's IdempotencyKey comes in,
// in every dialect that takes one, and the one a url tool's call carries
// its key to the service in.
const IdempotencyHeader = "Idempotency-Key"

// maxIdempotencyKey is the longest idempotency key taken.
const maxIdempotencyKey = 200

// keyNamespace makes an idempotency key's dialog UUID: a v5 UUID of the
// project and the key, so a retry names the same dialog without a table
// of keys, and two projects' equal keys name different dialogs.
var keyNamespace = uuid.MustParse("6c1e8b0a-2f4d-5b7e-9a31-0d5c2e7f4b18")

// keyedUUID is the UUID of the dialog a project's idempotency key names.
func keyedUUID(projectID int64, key string) (string, error) {
	if len(key) > maxIdempotencyKey {
		return "", store.FieldErrorf(store.EINVALID, IdempotencyHeader,
			"The Idempotency-Key has %d characters; use at most %d.", len(key), maxIdempotencyKey)
	}
	name := strconv.FormatInt(projectID, 10) + "\x00" + key // no key can pose as another project's
	return uuid.NewSHA1(keyNamespace, []byte(name)).String(), nil
}

// createAgain answers a create retried with an idempotency key whose
// dialog exists: that dialog, with the first turn's result when it can be
// had. A dialog whose workflow the first call may not have started (its
// store shows nothing after its creation) is started now, as the first
// call would have: the workflow's id and the start update's id make that
// a no-op when it did start. ECONFLICT for a key used with another bot.
func (s *Service) createAgain(ctx context.Context, projectID int64, ref engine.FlowRef, in CreateInput) (*store.Dialog, *Turn, error) {
	d, err := s.Store.Dialog(ctx, projectID, in.UUID)
	if err != nil {
		return nil, nil, err
	}
	if d.BotID != ref.BotID {
		return nil, nil, store.FieldErrorf(store.ECONFLICT, IdempotencyHeader,
			"The Idempotency-Key %q was used for a dialog with another bot; send a new key for a new dialog.", in.IdempotencyKey)
	}
	if d.StateSeq <= 1 {
		return s.startWorkflow(ctx, d, s.params(d, ref), in.Start)
	}
	if !in.Start {
		return d, nil, nil
	}
	return d, s.startResult(ctx, d), nil
}

// startResult is the result of a dialog's start update while its
// workflow's run still knows it (nil after a continue-as-new): the first
// turn's messages for a retried create. The update is never sent again:
// on a later run it would hand an operator's dialog back to the bot.
func (s *Service) startResult(ctx context.Context, d *store.Dialog) *Turn {
	h := s.Temporal.GetWorkflowUpdateHandle(client.GetWorkflowUpdateHandleOptions{
		WorkflowID: engine.WorkflowID(d.UUID), UpdateID: engine.UpdateStart})
	var turn engine.TurnResult
	if err := h.Get(ctx, &turn); err != nil {
		s.log().Info("a retried create has no first turn to answer with", "dialog", d.UUID, "error", err)
		return nil
	}
	return turnOf(&turn)
}
