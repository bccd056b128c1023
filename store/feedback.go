package store

import (
	"context"
	"time"
)

// Feedbacks keeps people's ratings of a dialog's messages (a thumb up or
// down and a comment, Flowise's chat message feedback) and reads a bot's
// messages across its dialogs with them. It is part of Store.
type Feedbacks interface {
	// SaveFeedback rates the message (f.DialogID, f.Seq) of one of project
	// f.ProjectID's dialogs: a message has at most one feedback, so a
	// second one replaces the first's Rating and Content, keeping its
	// UUID and CreatedAt. It fills in ID, UUID, BotID (the dialog's),
	// MessageID, CreatedAt and UpdatedAt, and reports whether it created
	// the feedback. EINVALID for a Rating other than RatingUp or
	// RatingDown; ENOTFOUND if the project has no such dialog or message.
	SaveFeedback(ctx context.Context, f *Feedback) (created bool, err error)
	// Feedback returns a project's feedback by UUID; ENOTFOUND if none.
	Feedback(ctx context.Context, projectID int64, uuid string) (*Feedback, error)
	// UpdateFeedback changes a project's feedback, by UUID, to u's Rating
	// and Content where they are set, and returns it. EINVALID for a
	// rating other than RatingUp or RatingDown; ENOTFOUND if the project
	// has no such feedback.
	UpdateFeedback(ctx context.Context, projectID int64, uuid string, u FeedbackUpdate) (*Feedback, error)
	// ListFeedback lists a project's feedback on a bot's dialogs' messages
	// (f.BotID), by CreatedAt (then ID), ascending unless f.Desc.
	ListFeedback(ctx context.Context, projectID int64, f FeedbackFilter) ([]Feedback, error)
	// ChatMessages lists the messages of a project's bot's dialogs
	// (those whose bot is f.BotID now), each with its dialog and its
	// feedback, by CreatedAt (then dialog and Seq), ascending unless
	// f.Desc. Deleted dialogs are left out.
	ChatMessages(ctx context.Context, projectID int64, f ChatMessageFilter) ([]ChatMessage, error)
	// DeleteMessages deletes messages of a project's dialogs, and their
	// feedback, and returns how many it deleted; keys of another project's
	// dialogs, or of messages not stored, are skipped. The dialogs stay,
	// their message numbering too.
	DeleteMessages(ctx context.Context, projectID int64, keys []MessageKey) (int, error)
}

// SourceTest is the Source of the dialogs an author runs from the
// editor (engine.SourceTest): Flowise's INTERNAL chats.
const SourceTest = "test"

// Feedback ratings.
const (
	RatingUp   = "up"
	RatingDown = "down"
)

// Feedback is a person's rating of one message of a dialog.
type Feedback struct {
	ID        int64
	UUID      string
	ProjectID int64
	BotID     int64 // the dialog's bot when the feedback was first given
	DialogID  int64
	Seq       int64  // the message's
	MessageID string // the message's ID
	Rating    string // RatingUp or RatingDown
	Content   string // the person's comment, "" for none
	CreatedAt time.Time
	UpdatedAt time.Time
}

// FeedbackUpdate is what UpdateFeedback changes; nil fields stay.
type FeedbackUpdate struct {
	Rating  *string
	Content *string
}

// FeedbackFilter selects a bot's feedback. Zero fields do not filter.
type FeedbackFilter struct {
	BotID    int64 // required
	DialogID int64
	From, To *time.Time // inclusive, on CreatedAt
	Desc     bool
}

// ChatMessageFilter selects a bot's messages. Zero fields do not filter.
type ChatMessageFilter struct {
	BotID int64 // required
	// Chat selects the messages of the dialogs with this UUID or external
	// id.
	Chat string
	// Test, when set, selects the messages of test dialogs (Source
	// "test", the editor's) if true, of the others if false.
	Test     *bool
	From, To *time.Time // inclusive, on the message's CreatedAt
	Desc     bool
}

// ChatMessage is a message with its dialog and its feedback (nil: none).
type ChatMessage struct {
	Message
	Dialog   ChatDialog
	Feedback *Feedback
}

// ChatDialog is what a chat message listing tells of a message's dialog.
type ChatDialog struct {
	ID         int64
	UUID       string
	ExternalID string
	BotID      int64
	Source     string
	User       map[string]any // the person's profile (Dialog.User)
}

// MessageKey names one message of a dialog.
type MessageKey struct {
	DialogID int64
	Seq      int64
}
