package dialogs

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/store"
)

// Find returns a project's dialog by its UUID or by its number in the
// project (#7, as people see it and the API's `number` says).
// ENOTFOUND if the project has none.
func (s *Service) Find(ctx context.Context, projectID int64, id string) (*store.Dialog, error) {
	if n, err := strconv.ParseInt(id, 10, 64); err == nil {
		return s.Store.DialogByNumber(ctx, projectID, n)
	}
	return s.Store.Dialog(ctx, projectID, id)
}

// Message is what a user sends into a dialog.
type Message struct {
	Text string
	// ClientMessageID, when set, makes retries of the same message
	// idempotent: the turn runs once and a retry gets its result.
	ClientMessageID string
	// At, when set, schedules the message: the dialog keeps it (listed in
	// its Scheduled, cancellable) and takes it as the user's then.
	At *time.Time
}

// SendMessage sends the user's message and returns the bot's answer.
// A disabled bot's dialog keeps the message and answers nothing until the
// bot is active again. EINVALID for an empty text; ECONFLICT if the
// dialog has ended or not started.
func (s *Service) SendMessage(ctx context.Context, d *store.Dialog, m Message) (*Turn, error) {
	if strings.TrimSpace(m.Text) == "" {
		return nil, store.FieldErrorf(store.EINVALID, "text", "The message text is empty; send some text.")
	}
	disabled, err := s.botDisabled(ctx, d)
	if err != nil {
		return nil, err
	}
	updateID, err := clientUpdateID("msg-", m.ClientMessageID)
	if err != nil {
		return nil, err
	}
	in := engine.MessageInput{Text: m.Text, ClientMessageID: m.ClientMessageID, StoredThrough: d.StoredThrough, Unanswered: disabled, At: m.At}
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

// HandoffInput is an action on a dialog's handoff: who acts, and the
// action's queue, reason or variables.
type HandoffInput = engine.HandoffInput

// Handoff actions.
const (
	HandoffRequest  = engine.HandoffRequest
	HandoffTake     = engine.HandoffTake
	HandoffTransfer = engine.HandoffTransfer
	HandoffRelease  = engine.HandoffRelease
	HandoffClose    = engine.HandoffClose
)

// Operator is who acts on a dialog as its operator: an account's id and
// display name, or a name an API-key caller gives.
type Operator = engine.OperatorRef

// TakeOver gives the dialog to an operator, from its queue or at once; the
// bot stays silent until Release. ECONFLICT if another operator has it.
func (s *Service) TakeOver(ctx context.Context, d *store.Dialog, op Operator) (*Turn, error) {
	return s.Handoff(ctx, d, HandoffInput{Action: HandoffTake, Operator: op})
}

// Release hands the dialog back to the bot, which continues where the
// handoff said. ECONFLICT if it is not handed off.
func (s *Service) Release(ctx context.Context, d *store.Dialog, op Operator) (*Turn, error) {
	return s.Handoff(ctx, d, HandoffInput{Action: HandoffRelease, Operator: op})
}

// Handoff runs an action of the dialog's handoff: a request into a queue,
// take, transfer, release (with variables set first) or close. ECONFLICT
// when the handoff's state forbids it (releasing a dialog nobody handed
// off, taking one another operator has), EINVALID for a variable that does
// not fit its declared type.
func (s *Service) Handoff(ctx context.Context, d *store.Dialog, in HandoffInput) (*Turn, error) {
	return s.update(ctx, d, engine.UpdateHandoff, "", in)
}

// OperatorMessage sends an operator's message to the user; an operator who
// writes into a dialog the bot runs takes it. EINVALID for an empty text.
func (s *Service) OperatorMessage(ctx context.Context, d *store.Dialog, op Operator, text string) (*Turn, error) {
	return s.ScheduleMessage(ctx, d, op, OperatorText{Text: text})
}

// OperatorText is what an operator sends: text, the ids of files uploaded
// into the dialog (UploadAttachment) and, for a scheduled message, when.
type OperatorText struct {
	Text  string
	Files []int64
	At    *time.Time // nil: now
	// ClientMessageID, when set, makes retries of the same message
	// idempotent: it is sent once and a retry gets its result.
	ClientMessageID string
}

// ScheduleMessage sends an operator's message at a time (nil: now): the
// dialog's workflow keeps it and a durable timer sends it, so it survives
// restarts; it is listed in the dialog's Scheduled until then and can be
// cancelled. EINVALID for an empty text, a time that has passed or a file
// that is not one of the dialog's; ECONFLICT when the dialog keeps as many
// scheduled messages as it may.
func (s *Service) ScheduleMessage(ctx context.Context, d *store.Dialog, op Operator, m OperatorText) (*Turn, error) {
	if strings.TrimSpace(m.Text) == "" {
		return nil, store.FieldErrorf(store.EINVALID, "text", "The operator's message is empty; send some text.")
	}
	updateID, err := clientUpdateID("operator-msg-", m.ClientMessageID)
	if err != nil {
		return nil, err
	}
	files, err := s.attachments(ctx, d, m.Files)
	if err != nil {
		return nil, err
	}
	in := engine.OperatorMessageInput{Operator: op.Name, OperatorID: op.ID, Text: m.Text, Files: files, At: m.At, ClientMessageID: m.ClientMessageID}
	return s.update(ctx, d, engine.UpdateOperatorMessage, updateID, in)
}

// maxAttachments is how many files one message may carry.
const maxAttachments = 10

// attachments looks up the files of a message: each must be one of the
// dialog's (uploaded into it), else EINVALID naming it.
func (s *Service) attachments(ctx context.Context, d *store.Dialog, ids []int64) ([]store.Attachment, error) {
	if len(ids) > maxAttachments {
		return nil, store.FieldErrorf(store.EINVALID, "files", "A message carries at most %d files; got %d.", maxAttachments, len(ids))
	}
	var out []store.Attachment
	for _, id := range ids {
		f, err := s.Store.File(ctx, d.ProjectID, id)
		if store.ErrorCode(err) == store.ENOTFOUND || err == nil && f.DialogID != d.ID {
			return nil, store.FieldErrorf(store.EINVALID, "files",
				"File %d is not one of this dialog's: upload it with POST /v1/dialogs/{id}/attachments first.", id)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, store.Attachment{ID: f.ID, Name: f.Name, MIMEType: f.MIMEType, Size: f.Size})
	}
	return out, nil
}

// CancelScheduled cancels a scheduled message before it is sent; ENOTFOUND
// when it was sent already or never scheduled.
func (s *Service) CancelScheduled(ctx context.Context, d *store.Dialog, id string) (*Turn, error) {
	return s.update(ctx, d, engine.UpdateCancelScheduled, "", engine.CancelScheduledInput{ID: id})
}

// SkipTimer fires the next timer of a test dialog (one an author runs
// from the editor) now: a question's timeout, a wait's end. A real dialog,
// or one waiting on no timer, is refused as a conflict.
func (s *Service) SkipTimer(ctx context.Context, d *store.Dialog) (*Turn, error) {
	return s.update(ctx, d, engine.UpdateSkipTimer, "", nil)
}

// AddNote keeps an operator's internal note on the dialog: operators see
// it (and hear of it on the event log), the user and the bot never do.
func (s *Service) AddNote(ctx context.Context, d *store.Dialog, op Operator, text string) (*store.Note, error) {
	n := &store.Note{DialogID: d.ID, OperatorID: op.ID, OperatorName: op.Name, Text: text}
	if err := s.Store.AddNote(ctx, n); err != nil {
		return nil, err
	}
	return n, nil
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

// SetMode switches who answers the user (store.ModeAuto and the others):
// auto hands the dialog back to the bot, operator hands it to operators
// (op takes it when named), manual and blocked silence the bot (blocked
// keeps no messages). EINVALID for another mode; ECONFLICT if the dialog
// has ended.
func (s *Service) SetMode(ctx context.Context, d *store.Dialog, mode string, op Operator) (*Turn, error) {
	return s.update(ctx, d, engine.UpdateMode, "", engine.ModeInput{Mode: mode, Operator: op.Name, OperatorID: op.ID})
}

// Interrupt ends a dialog as interrupted, keeping its history.
// ECONFLICT if it has ended.
func (s *Service) Interrupt(ctx context.Context, d *store.Dialog) (*Turn, error) {
	return s.update(ctx, d, engine.UpdateCommand, "", engine.CommandInput{Command: engine.CommandInterrupt})
}

// Delete ends a dialog (as interrupted, if it runs) and deletes its
// messages, data and notes; every lookup misses it from then on.
func (s *Service) Delete(ctx context.Context, d *store.Dialog) error {
	if !ended(d.Status) {
		if _, err := s.Interrupt(ctx, d); err != nil && store.ErrorCode(err) != store.ECONFLICT {
			return err
		}
	}
	s.recent.forget(d)
	return s.Store.DeleteDialog(ctx, d.ProjectID, d.ID)
}

// ended reports whether a dialog's status is final.
func ended(status string) bool {
	return status == store.StatusCompleted || status == store.StatusInterrupted || status == store.StatusError
}
