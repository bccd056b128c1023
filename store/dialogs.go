package store

import (
	"context"
	"time"
)

// Dialogs keeps conversations: each dialog's record and live state, and
// what its turns stored, messages and collected data. It is part of Store.
type Dialogs interface {
	// CreateDialog stores a new dialog, filling in ID (from the sequence
	// bots share), UUID (when empty), Number (the project's next dialog
	// number, from 1), CreatedAt and UpdatedAt. StoredThrough starts at
	// StateSeq: the created dialog is its own turn, stored. EINVALID for a
	// UUID that is not one; ECONFLICT if the UUID is taken; ENOTFOUND if the
	// project does not exist or BotID (when set) is not one of its bots.
	CreateDialog(ctx context.Context, d *Dialog) error
	// Dialog returns a project's dialog by UUID; ENOTFOUND if there is none.
	Dialog(ctx context.Context, projectID int64, uuid string) (*Dialog, error)
	// DialogByID returns a project's dialog by integer id; ENOTFOUND if none.
	DialogByID(ctx context.Context, projectID, id int64) (*Dialog, error)
	// DialogByNumber returns a project's dialog by its number there (#1,
	// #2, ... as people see it); ENOTFOUND if none.
	DialogByNumber(ctx context.Context, projectID, number int64) (*Dialog, error)
	// ListDialogs returns one page of a project's dialogs, the most recently
	// updated first (UpdatedAt descending, then ID descending), and the number
	// of dialogs that match the filter in all (-1 with SkipCount). EINVALID
	// for a negative Limit or Offset, a Limit over 1000, an unknown Status,
	// Mode or HandoffStatus, or a Text without a word.
	ListDialogs(ctx context.Context, projectID int64, f DialogFilter) ([]Dialog, int, error)
	// SaveDialogState writes a dialog's live state. It is idempotent and
	// ordered: a state whose StateSeq is not greater than the stored one is
	// ignored, so a late retry never overwrites newer state. It says
	// nothing of a turn's messages, so it leaves StoredThrough as it is.
	// ENOTFOUND if the dialog does not exist.
	SaveDialogState(ctx context.Context, s DialogState) error

	// SaveTurn stores what one dialog turn produced in one transaction:
	// exactly AppendMessages of t.Messages, AppendData of t.Data and, when
	// t.State is not nil, SaveDialogState of *t.State, with their rules
	// (retries skipped, older states ignored, ENOTFOUND for an unknown
	// dialog or bot, ECONFLICT for a message ID used elsewhere), except
	// that an error in any part stores nothing of the turn.
	//
	// A turn with a state also moves the dialog's StoredThrough, in the
	// same transaction and whether or not its state is older than the
	// stored one. Without Through it marks turn k = t.State.StateSeq
	// stored: k <= StoredThrough changes nothing; k = StoredThrough+1
	// raises it to k; a later k is remembered until the turns below it
	// are stored. With Through it marks every turn up to k stored,
	// raising StoredThrough to at least k. Whenever StoredThrough rises,
	// remembered turns it reaches are forgotten, and those just above it,
	// without a gap, are taken in: storing turn 2 when 3 and 4 are
	// remembered raises it to 4. Retries change nothing.
	SaveTurn(ctx context.Context, t Turn) error

	// AppendMessages stores messages. A message whose (DialogID, Seq) is
	// already stored is skipped, so retries never duplicate (and keep the
	// first Usage). IDs and CreatedAt are set by the caller (the engine) and
	// kept as given. EINVALID, storing none of the batch, for a Usage with a
	// negative token count; ENOTFOUND if a dialog does not exist; ECONFLICT
	// if an ID is taken by another (DialogID, Seq).
	AppendMessages(ctx context.Context, msgs []Message) error
	// Messages lists a dialog's messages by Seq.
	Messages(ctx context.Context, dialogID int64) ([]Message, error)
	// UserMessages returns what a person said in a bot's other dialogs:
	// the user messages of the project's dialogs with botID and userID,
	// except dialog exceptDialogID, newest first, at most limit. An empty
	// userID is nobody's: none.
	UserMessages(ctx context.Context, projectID, botID int64, userID string, exceptDialogID int64, limit int) ([]Message, error)
	// AppendData stores collected data, skipping (DialogID, Seq) already
	// stored; ENOTFOUND if a dialog does not exist.
	AppendData(ctx context.Context, items []DataItem) error
	// Data lists a dialog's collected data by Seq.
	Data(ctx context.Context, dialogID int64) ([]DataItem, error)

	// AddNote stores an operator's internal note on a dialog, filling in
	// ID and CreatedAt, and logs note.created. EINVALID for an empty text;
	// ENOTFOUND if the dialog does not exist.
	AddNote(ctx context.Context, n *Note) error
	// Notes lists a dialog's notes, oldest first.
	Notes(ctx context.Context, dialogID int64) ([]Note, error)
}

// Note is an operator's internal note on a dialog: shown to operators,
// never to the user nor in the bot's model context.
type Note struct {
	ID           int64
	DialogID     int64
	OperatorID   string
	OperatorName string
	Text         string
	CreatedAt    time.Time
}

// Dialog statuses.
const (
	StatusCreated     = "created"
	StatusInProcess   = "in-process"
	StatusOperator    = "operator"
	StatusCompleted   = "completed"
	StatusInterrupted = "interrupted"
	StatusError       = "error"
)

// Dialog modes.
const (
	ModeAuto     = "auto"
	ModeManual   = "manual"
	ModeOperator = "operator"
	ModeBlocked  = "blocked"
)

// Dialog is one conversation; its live state is driven by its workflow.
type Dialog struct {
	ID         int64 // from the sequence bots share
	UUID       string
	ProjectID  int64
	Number     int64 // per project, from 1
	ExternalID string
	// UserID is the client's id of the person talking (the native API's
	// user.id), "" when unknown: a bot's dialogs with the same one are the
	// same person's.
	UserID string
	// User is the person's profile as the client gave it (id, name,
	// email, phone, ...): `user` in expressions, and who operators see.
	User   map[string]any
	Source string // api, web, telegram, ...
	// ChannelID is the channel the dialog came through; a dialog created
	// without one is its bot's API channel's.
	ChannelID int64
	IP        string
	Location  string
	DialogState
	CreatedAt time.Time
}

// DialogFilter selects a project's dialogs. Zero fields do not filter.
type DialogFilter struct {
	BotID         int64
	ChannelID     int64
	Status        string // one of the Status values
	Mode          string // one of the Mode values
	HandoffStatus string // one of the Handoff statuses
	Queue         string // waiting or taken in this queue (a requested or active handoff's)
	// Live selects the dialogs not ended (completed, interrupted or
	// error); Ended those that ended.
	Live  bool
	Ended bool
	// ChannelKind selects the dialogs that came through a channel of this
	// kind (api, widget, telegram).
	ChannelKind string
	// Node selects the dialogs waiting at a node: there now, not ended
	// (completed, interrupted or error).
	Node   string
	UserID string
	// Text selects the dialogs with a message holding every word of it
	// (full text, case-insensitive, whole words). EINVALID when it holds
	// no word.
	Text         string
	CreatedFrom  *time.Time // inclusive, on CreatedAt
	CreatedTo    *time.Time // inclusive
	UpdatedFrom  *time.Time // inclusive, on UpdatedAt (the dialog's last change)
	UpdatedTo    *time.Time // inclusive
	LastUserFrom *time.Time // inclusive, on LastUserAt (the respondent's last message); a dialog without one never matches a LastUser bound
	LastUserTo   *time.Time // inclusive
	// After starts the page after this dialog of the list's order (keyset
	// paging, which neither skips nor repeats dialogs that change while
	// a client pages).
	After     *DialogCursor
	Limit     int  // page size; 0 means 40
	Offset    int  // dialogs skipped before the page
	SkipCount bool // do not count the matches (ListDialogs returns -1)
}

// DialogCursor is where a dialog stands in a list: its UpdatedAt and ID.
type DialogCursor struct {
	UpdatedAt time.Time
	ID        int64
}

// DialogState is the part of a dialog its workflow changes.
type DialogState struct {
	DialogID     int64
	StateSeq     int64 // increases with every change; older states are ignored
	BotID        int64
	Version      int
	Status       string
	Mode         string
	Node         string
	Variables    map[string]any
	PendingCount int    `json:",omitempty"`
	Title        string `json:",omitempty"`
	// WorkingMemory is the Markdown block of facts the model keeps about
	// the dialog (settings.ai.memory.workingMemory).
	WorkingMemory string     `json:",omitempty"`
	LastUserAt    *time.Time `json:",omitempty"` // the respondent's last message
	UpdatedAt     time.Time
	// StoredThrough is the turn up to which every turn of the dialog is
	// stored (see SaveTurn): a watermark, so the workflow can skip storing
	// what is there. Lookups fill it in; writes ignore the caller's value.
	StoredThrough int64 `json:",omitempty"`
	// Handoff is where the dialog stands with operators; nil is
	// HandoffNone (never handed off).
	Handoff *Handoff `json:",omitempty"`
	// Scheduled are operators' messages waiting to be sent at their time,
	// the earliest first.
	Scheduled []ScheduledMessage `json:",omitempty"`
}

// ScheduledMessage is an operator's message a dialog sends at a time,
// cancellable until then.
type ScheduledMessage struct {
	ID         string
	Text       string
	At         time.Time
	OperatorID string       `json:",omitempty"`
	Operator   string       `json:",omitempty"` // the operator's name
	Files      []Attachment `json:",omitempty"`
	// User marks a message the user scheduled (Worken's scheduledAt on a
	// stream): when due it is taken as the user's, not sent as an
	// operator's.
	User bool `json:",omitempty"`
}

// Handoff statuses: none -> requested -> active -> released, and requested
// again on a later handoff. A request may also be released without ever
// being taken (its timeout, or the bot taken back).
const (
	HandoffNone      = "none"
	HandoffRequested = "requested" // waiting in a queue for an operator
	HandoffActive    = "active"    // an operator has the dialog
	HandoffReleased  = "released"  // handed back to the bot
)

// DefaultQueue is the queue of a handoff that names none.
const DefaultQueue = "default"

// Handoff is a dialog's handoff to operators: one state machine, which the
// dialects show as Worken's thread mode, ReplyX's handoff_status and
// Bot.one's operator status.
type Handoff struct {
	Status       string     // HandoffRequested, HandoffActive or HandoffReleased
	Queue        string     `json:",omitempty"` // the queue it waits or waited in
	Reason       string     `json:",omitempty"`
	RequestedAt  *time.Time `json:",omitempty"`
	LastUserText string     `json:",omitempty"` // the user's last text when it was requested
	OperatorID   string     `json:",omitempty"` // active: who has it
	OperatorName string     `json:",omitempty"`
	TakenAt      *time.Time `json:",omitempty"`
	ReleasedAt   *time.Time `json:",omitempty"`
}

// ActiveQueue is the queue the dialog waits or is taken in: Queue while
// the handoff is requested or active, "" otherwise.
func (h *Handoff) ActiveQueue() string {
	switch h.HandoffStatus() {
	case HandoffRequested, HandoffActive:
		return h.Queue
	}
	return ""
}

// HandoffStatus is the status of h, HandoffNone for nil.
func (h *Handoff) HandoffStatus() string {
	if h == nil || h.Status == "" {
		return HandoffNone
	}
	return h.Status
}

// Turn is what one dialog turn produced, for SaveTurn. State is optional.
type Turn struct {
	Messages []Message
	Data     []DataItem
	State    *DialogState
	// Through says what State.StateSeq S stands for: false, turn S alone
	// (one turn as it happened); true, every turn up to S (a batch of
	// everything not stored before). Without State it means nothing.
	Through bool
}

// Message roles.
const (
	MessageUser      = "user"
	MessageAssistant = "assistant"
	MessageOperator  = "operator"
	MessageSystem    = "system"
)

// Message is one message of a dialog. Messages, data items and states
// travel in every turn's result, which Temporal writes into the workflow's
// history; empty fields are left out of their JSON (omitempty) to keep
// that small. The field names are the JSON names: renaming one breaks the
// decoding of running workflows' histories.
type Message struct {
	ID              string // engine-assigned, unique: "<dialog uuid>-<seq>"
	DialogID        int64
	Seq             int64 // per dialog, shared with DataItem, from 1
	Role            string
	Text            string
	Buttons         []string `json:",omitempty"`
	Operator        string   `json:",omitempty"` // the operator's name, for operator messages
	Node            string   `json:",omitempty"` // the node that sent it, for bot messages
	ClientMessageID string   `json:",omitempty"`
	CreatedAt       time.Time
	// Usage is the token usage of the model call that wrote this message;
	// nil for messages no model wrote.
	Usage *Usage `json:",omitempty"`
	// Sources are the knowledge chunks the answer was written from; nil
	// for messages that used none.
	Sources []Source `json:",omitempty"`
	// Files are the files the message carries: an operator's attachments, a
	// user's upload.
	Files []Attachment `json:",omitempty"`
}

// Attachment is a file sent with a message: one of the dialog's files
// (ID), or a file at an address a flow's message node names (URL, with
// its Kind: image, file, audio or video; ID, MIMEType and Size unknown).
type Attachment struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	MIMEType string `json:"type"`
	Size     int64  `json:"size"`
	URL      string `json:"url,omitempty"`
	Kind     string `json:"kind,omitempty"`
}

// Source is a knowledge chunk an answer drew on.
type Source struct {
	Store    string  // the vector store's UUID
	Document string  // the document's UUID
	Filename string  // the document's name
	Chunk    int     // the chunk's Seq in the document
	Score    float64 // cosine similarity to the query
	Text     string  // the chunk's text
}

// Usage counts the tokens of one model call.
type Usage struct {
	Model            string
	PromptTokens     int
	CompletionTokens int
}

// DataItem is one piece of collected data: an answered question, a file, a
// completed block.
type DataItem struct {
	DialogID  int64
	Seq       int64
	Question  string
	Type      string
	Answer    string
	Variable  string
	Deleted   bool `json:",omitempty"`
	CreatedAt time.Time
}
