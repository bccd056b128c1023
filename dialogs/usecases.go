package dialogs

import (
	"context"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/store"
)

// Find returns a project's dialog by its UUID or its integer id.
// ENOTFOUND if the project has none.
func (s *Service) Find(ctx context.Context, projectID int64, id string) (*store.Dialog, error) {
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		return s.Store.DialogByID(ctx, projectID, n)
	}
	return s.Store.Dialog(ctx, projectID, id)
}

// Message is what a user sends into a dialog.
type Message struct {
	Text string
	// ClientMessageID, when set, makes retries of the same message
	// idempotent: the turn runs once and a retry gets its result.
	ClientMessageID string
}

// SendMessage sends the user's message and returns the bot's answer.
// EINVALID for an empty text; ECONFLICT if the dialog has ended or not
// started.
func (s *Service) SendMessage(ctx context.Context, d *store.Dialog, m Message) (*Turn, error) {
	if strings.TrimSpace(m.Text) == "" {
		return nil, store.FieldErrorf(store.EINVALID, "text", "The message text is empty; send some text.")
	}
	updateID := ""
	if m.ClientMessageID != "" {
		updateID = "msg-" + m.ClientMessageID
	}
	in := engine.MessageInput{Text: m.Text, ClientMessageID: m.ClientMessageID, StoredThrough: d.StoredThrough}
	return s.update(ctx, d, engine.UpdateMessage, updateID, in)
}

// Start runs a created dialog's first turn, or hands a dialog an operator
// or a stop holds back to the bot. ECONFLICT if it has ended.
func (s *Service) Start(ctx context.Context, d *store.Dialog) (*Turn, error) {
	return s.update(ctx, d, engine.UpdateStart, "", nil)
}

// Stop silences the bot: the dialog waits for an operator. ECONFLICT if it
// has ended.
func (s *Service) Stop(ctx context.Context, d *store.Dialog) (*Turn, error) {
	return s.update(ctx, d, engine.UpdateStop, "", nil)
}

// TakeOver gives the dialog to an operator; the bot stays silent until
// Release.
func (s *Service) TakeOver(ctx context.Context, d *store.Dialog, operator string) (*Turn, error) {
	return s.update(ctx, d, engine.UpdateMode, "", engine.ModeInput{Mode: store.ModeOperator, Operator: operator})
}

// Release hands the dialog back to the bot, which continues where the
// handoff said.
func (s *Service) Release(ctx context.Context, d *store.Dialog, operator string) (*Turn, error) {
	return s.update(ctx, d, engine.UpdateMode, "", engine.ModeInput{Mode: store.ModeAuto, Operator: operator})
}

// OperatorMessage sends an operator's message to the user. EINVALID for an
// empty text.
func (s *Service) OperatorMessage(ctx context.Context, d *store.Dialog, operator, text string) (*Turn, error) {
	if strings.TrimSpace(text) == "" {
		return nil, store.FieldErrorf(store.EINVALID, "text", "The operator's message is empty; send some text.")
	}
	return s.update(ctx, d, engine.UpdateOperatorMessage, "", engine.OperatorMessageInput{Operator: operator, Text: text})
}

// GotoBot moves the dialog to another bot of its project (its current
// version), keeping the dialog and its variables. ENOTFOUND if the project
// has no bot with that slug.
func (s *Service) GotoBot(ctx context.Context, d *store.Dialog, slug string) (*Turn, error) {
	if strings.TrimSpace(slug) == "" || strings.ContainsAny(slug, " \t\n") {
		return nil, store.FieldErrorf(store.EINVALID, "bot", "Name the bot to go to by its slug, like support.")
	}
	return s.update(ctx, d, engine.UpdateCommand, "", engine.CommandInput{Command: "goto " + slug})
}

// Approve decides a tool call that waits for an operator's approval.
// ENOTFOUND if no call waits under that id.
func (s *Service) Approve(ctx context.Context, d *store.Dialog, approvalID string, approve bool, operator string) (*Turn, error) {
	return s.update(ctx, d, engine.UpdateApproval, "", engine.ApprovalInput{ID: approvalID, Approve: approve, Operator: operator})
}
