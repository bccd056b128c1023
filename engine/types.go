// Package engine runs dialogs: one Temporal workflow per dialog walks the
// bot's flow, pausing durably wherever a node waits for a user, an operator,
// a service or time.
package engine

import (
	"strconv"
	"time"

	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/store"
)

// Names shared by the workflow, its callers and the worker.
const (
	TaskQueue    = "parley"
	WorkflowName = "Dialog"

	UpdateMessage         = "message"
	UpdateStart           = "start"
	UpdateStop            = "stop"
	UpdateMode            = "mode"
	UpdateOperatorMessage = "operator_message"
	UpdateCommand         = "command"
	UpdateBlockMessage    = "block_message"
	UpdateBlockComplete   = "block_complete"
	UpdateHandoff         = "handoff"
	UpdateCancelScheduled = "cancel_scheduled"
	QueryState            = "state"

	ActivityPersist   = "PersistDialog"
	ActivityLoadFlow  = "LoadFlow"
	ActivityCallBlock = "CallBlock"
	ActivityCallLLM   = "CallLLM"
	ActivityCallTool  = "CallTool"
)

// Error types of rejected updates and failed turns; the HTTP layer maps
// them to statuses.
const (
	ErrConflict = "CONFLICT"  // the dialog's state forbids it (completed, not started)
	ErrInvalid  = "INVALID"   // the request is malformed
	ErrNotFound = "NOT_FOUND" // a bot named in a command does not exist
	// ErrUnsupported is a file whose type the question waiting for it
	// does not accept.
	ErrUnsupported = "UNSUPPORTED"
	// ErrBlockRejected is a block call that must not be retried: the
	// service answered 4xx, or its address is not allowed.
	ErrBlockRejected = "BLOCK_REJECTED"
	// ErrLLMNotConfigured is an llm node run where no model is configured.
	ErrLLMNotConfigured = "LLM_NOT_CONFIGURED"
	// ErrInsufficientBalance is a model call refused because the project's
	// billing account cannot pay it; an llm node follows its on_error.
	ErrInsufficientBalance = "INSUFFICIENT_BALANCE"
)

// WorkflowID is the workflow id of the dialog with the given UUID.
func WorkflowID(dialogUUID string) string { return "dialog-" + dialogUUID }

// FlowRef pins a dialog to one published version of a bot's flow.
type FlowRef struct {
	BotID   int64
	Slug    string
	Version int
	Source  string // the YAML; parsed (and cached by checksum) by the workflow
}

// Settings are engine limits, the same for every dialog of a deployment.
type Settings struct {
	StepLimit         int           // nodes one turn may run; default 100
	InactivityTimeout time.Duration // a user who says nothing this long interrupts the dialog; default 24h
	PersistDelay      time.Duration // how long the workflow waits for callers to store a turn before storing it itself; default 30s
	UpdatesPerRun     int           // updates before the workflow continues as new; default 100
}

// Params start a dialog workflow.
type Params struct {
	ProjectID  int64
	DialogID   int64
	DialogUUID string
	Number     int64
	Channel    string
	Source     string
	Flow       FlowRef
	Variables  map[string]any // initial values; declared defaults fill the rest
	User       map[string]any
	Start      bool // run the first turn at once; otherwise the dialog is created and silent
	Settings   Settings
	Resume     *State // set when the workflow continues as new
}

// MessageInput is the argument of the message update.
type MessageInput struct {
	Text            string
	ClientMessageID string
	// StoredThrough acknowledges that the store holds every turn up to
	// this StateSeq (store.DialogState.StoredThrough), so the workflow
	// need not store them again.
	StoredThrough int64
	// File is an uploaded file the message carries (the answer to a file
	// question); Text may then be empty.
	File *FileRef
	// Unanswered keeps the message without the bot answering it: its bot
	// is disabled (a Worken bot's status), until it is active again.
	Unanswered bool `json:",omitempty"`
	// At, when set, keeps the message in the dialog's scheduled list and
	// takes it as the user's at that time (a durable timer).
	At *time.Time `json:",omitempty"`
}

// FileRef is an uploaded file as a dialog sees it.
type FileRef struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	MIMEType string `json:"type"`
	Size     int64  `json:"size"`
	URL      string `json:"url"` // where it can be downloaded
}

// ModeInput is the argument of the mode update.
type ModeInput struct {
	Mode       string // auto, manual, operator, blocked
	Operator   string // the operator's name
	OperatorID string // the operator's account id, "" when not known
}

// OperatorMessageInput is the argument of the operator_message update.
type OperatorMessageInput struct {
	Operator   string // the operator's name
	OperatorID string // the operator's account id, "" when not known
	Text       string
	Files      []store.Attachment `json:",omitempty"` // the dialog's files sent with it
	// At, when set, schedules the message: a durable timer sends it then,
	// and it can be cancelled until it is sent (cancel_scheduled).
	At *time.Time
	// ClientMessageID, when set, makes retries of the same message
	// idempotent, as a user's: sent once, a retry gets its result.
	ClientMessageID string `json:",omitempty"`
}

// recentKey is the key an operator message's result is remembered by:
// apart from users' client ids, which the same client may reuse.
func (in OperatorMessageInput) recentKey() string {
	if in.ClientMessageID == "" {
		return ""
	}
	return "operator:" + in.ClientMessageID
}

// CommandInterrupt ends a dialog as interrupted, keeping its history.
const CommandInterrupt = "interrupt"

// CommandInput is the argument of the command update: Command "goto <bot
// slug>" moves the dialog to another bot, and CommandInterrupt ends it as
// interrupted (its bot deleted, its thread deleted); Node, instead, moves
// it to a node of its flow, which runs from there.
type CommandInput struct {
	Command string `json:",omitempty"`
	Node    string `json:",omitempty"`
}

// BlockCall is what the CallBlock activity sends to a block's service.
type BlockCall struct {
	ProjectID  int64
	DialogID   int64
	DialogUUID string
	Number     int64
	Bot        string
	Node       string
	Attempt    int
	URL        string
	Headers    map[string]string
	Payload    map[string]any
	Variables  map[string]any
	Data       []store.DataItem
	Timeout    time.Duration // of one HTTP request
	ExpiresAt  time.Time     // of the block's token
	Wait       bool          // false: the JSON response is the result
}

// BlockMessageInput is a message a block's service sends while it runs.
type BlockMessageInput struct {
	Node    string
	Attempt int
	Text    string
	Typing  bool
	// ClientMessageID, when set, makes the service's retries of the same
	// message idempotent: stored once, a retry gets the first result.
	ClientMessageID string `json:",omitempty"`
}

// recentKey is the key a block message's result is remembered by: apart
// from users' and operators' client ids, and from another attempt's, as a
// service may number its messages afresh on each call.
func (in BlockMessageInput) recentKey() string {
	if in.ClientMessageID == "" {
		return ""
	}
	return "block:" + in.Node + ":" + strconv.Itoa(in.Attempt) + ":" + in.ClientMessageID
}

// BlockCompleteInput ends a block with the service's data.
type BlockCompleteInput struct {
	Node    string
	Attempt int
	Data    any
}

// Waiting says what a paused dialog waits for.
type Waiting struct {
	Node     string
	Kind     string // question, handoff, wait, block, call
	Since    time.Time
	Attempts int       // invalid answers so far (question)
	Reminded int       // reminders sent (question)
	Until    time.Time // when a wait node resumes
	Operator string    // who took a handoff
	Attempt  int       // the block attempt
	Called   bool      // the block's service accepted the call
	Approval *Approval // a tool call waiting for a decision
	Tool     *ToolWait // the tool call a waiting block runs (Kind block)
}

// ToolWait is a model's tool call run by a block that waits for its
// service: when the service completes (or fails, or times out) the model
// gets the result and answers at its llm node.
type ToolWait struct {
	LLMNode string
	Call    llm.ToolCall
	History []llm.Message // the exchange so far, ending with the call
}

// WaitingInfo is the public part of Waiting.
type WaitingInfo struct {
	Node string `json:"node"`
	Kind string `json:"kind"`
	// Timer is the dialog's next durable timer, when one runs: what ends
	// the wait (or interrupts it) unless something comes first.
	Timer *TimerInfo `json:"timer,omitempty"`
	// Accept is what a file question takes (MIME types, `image/*`), for a
	// client's file picker; empty for any file and for other waits.
	Accept []string `json:"accept,omitempty"`
}

// TimerInfo is a dialog's next durable timer: when it fires and what it
// is ("question timeout", "reminder", "wait", "block timeout", "handoff
// timeout", "scheduled message" or "inactivity").
type TimerInfo struct {
	At   time.Time `json:"at"`
	What string    `json:"what"`
}

// TurnResult is what an update returns: every message and data item the
// turn produced (the user's message included) and the dialog's new state.
// The caller stores them before answering its client; the workflow stores
// them too, idempotently, so nothing is lost if the caller dies.
type TurnResult struct {
	Messages []store.Message
	Data     []store.DataItem
	State    store.DialogState
	Waiting  *WaitingInfo
}

// BotMessages returns the messages of the turn not written by the user.
func (r *TurnResult) BotMessages() []store.Message {
	var out []store.Message
	for _, m := range r.Messages {
		if m.Role != store.MessageUser {
			out = append(out, m)
		}
	}
	return out
}

// PersistInput is what the workflow asks the worker to store.
type PersistInput struct {
	ProjectID int64
	Messages  []store.Message
	Data      []store.DataItem
	State     store.DialogState
}

// LoadFlowInput asks for the current version of a project's bot.
type LoadFlowInput struct {
	ProjectID int64
	Slug      string
}

// Snapshot is the answer to the state query.
type Snapshot struct {
	State   store.DialogState
	Bot     string
	Waiting *WaitingInfo
	// Settled says no work runs off the update's path (titling the
	// dialog) and everything the workflow produced is stored.
	Settled bool
}

// LLMCall is what the CallLLM activity sends to the model. The activity
// adds the dialog's last HistoryLimit stored messages (merged with Recent,
// what the workflow has not stored yet) between the system instruction and
// Prompt.
type LLMCall struct {
	ProjectID    int64
	DialogID     int64
	DialogUUID   string
	Node         string
	Request      llm.ChatRequest // Model, sampling, JSONSchema; Messages holds the system instruction
	HistoryLimit int
	Recent       []store.Message
	Prompt       string        // appended as a user message when not empty
	Followup     []llm.Message // appended last: tool calls and results, a retry's correction
	// Knowledge names the vector stores searched for the user's message;
	// the best TopK chunks scoring at least MinScore go into the prompt.
	Knowledge []string
	TopK      int
	MinScore  float64
	// SemanticRecall adds what the user said before most like their
	// message: in this dialog beyond the history window, and in their
	// earlier dialogs with the bot (the same user.id). BotID and UserID
	// name those dialogs; UserID is "" when the dialog has no user.id.
	SemanticRecall bool
	BotID          int64
	UserID         string
	// QuoteWithoutModel lets the call answer with the best passages of
	// Knowledge, labelled as quotes, when no model is configured, instead
	// of failing: for nodes that search knowledge and name no model. A bot
	// that names its model means to need one.
	QuoteWithoutModel bool `json:",omitempty"`
}

// LLMResult is the CallLLM activity's answer: the model's response and
// the knowledge chunks it was given.
type LLMResult struct {
	llm.ChatResponse
	Sources []store.Source
}

// ToolCallInput asks the CallTool activity to run a tool the model called:
// knowledge_search (Stores), a declared tool with a URL, or one with a
// block node (Block, made like a block node's call with wait: false).
type ToolCallInput struct {
	ProjectID  int64
	DialogID   int64
	DialogUUID string
	Node       string
	Tool       string
	CallID     string `json:",omitempty"` // the model's id of the call
	Arguments  string // JSON, as the model wrote it
	Stores     []string
	TopK       int
	MinScore   float64
	URL        string
	Block      *BlockCall
}

// ToolResult is what a tool call gives back to the model.
type ToolResult struct {
	Content string
	Sources []store.Source
}
