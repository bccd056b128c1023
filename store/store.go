// Package store holds Parley's domain records and the persistence interface.
// Implementations live in sub-packages (sqlite, postgres) and are kept equal
// by one contract test suite (storetest).
package store

import (
	"context"
	"time"
)

// Store is Parley's persistence. Every lookup of a project's object takes
// the project id, so one project never sees another's data: an object of
// another project is ENOTFOUND. Methods return *Error values with the codes
// below; anything else is an internal error.
type Store interface {
	// Close releases the database.
	Close() error

	// CreateOrganization creates an organization.
	CreateOrganization(ctx context.Context, name string) (*Organization, error)
	// CreateProject creates a project in an organization.
	CreateProject(ctx context.Context, orgID int64, name string) (*Project, error)
	// Project returns a project; ENOTFOUND if there is none.
	Project(ctx context.Context, id int64) (*Project, error)

	// CreateUser creates a user, storing an argon2id hash of password.
	// ECONFLICT if the email (compared case-insensitively) is taken;
	// EINVALID if email or password is empty.
	CreateUser(ctx context.Context, email, name, password string) (*User, error)
	// Authenticate returns the user with this email and password;
	// EUNAUTHORIZED if there is none or the password is wrong.
	Authenticate(ctx context.Context, email, password string) (*User, error)
	// SetMembership gives a user a role in a project, replacing any other.
	SetMembership(ctx context.Context, projectID, userID int64, role Role) error
	// Memberships lists a user's projects and roles, oldest first.
	Memberships(ctx context.Context, userID int64) ([]Membership, error)

	// CreateAPIKey makes a new random key ("sk-" and 48 base62 characters),
	// stores its SHA-256 hash and returns the plain key, shown only once.
	CreateAPIKey(ctx context.Context, projectID int64, name string) (string, *APIKey, error)
	// RegisterAPIKey stores a key chosen by the caller (PARLEY_DEV_API_KEY);
	// registering the same key for the same project again is a no-op;
	// ECONFLICT if it belongs to another project; EINVALID unless it starts
	// with "sk-" and has at least 20 characters.
	RegisterAPIKey(ctx context.Context, projectID int64, name, key string) (*APIKey, error)
	// APIKeyByKey returns the key record of a plain key; EUNAUTHORIZED if unknown.
	APIKeyByKey(ctx context.Context, key string) (*APIKey, error)

	// PublishFlow stores a new version of a bot's flow, creating the bot on
	// its first version. Publishing the same source as the current version
	// returns the current version unchanged (Created false).
	PublishFlow(ctx context.Context, p Publish) (*Published, error)
	// Bot returns a project's bot by slug; ENOTFOUND if there is none.
	Bot(ctx context.Context, projectID int64, slug string) (*Bot, error)
	// BotByID returns a project's bot by id; ENOTFOUND if there is none.
	BotByID(ctx context.Context, projectID, id int64) (*Bot, error)
	// Bots lists a project's bots by slug.
	Bots(ctx context.Context, projectID int64) ([]Bot, error)
	// FlowVersion returns one version of a bot's flow; ENOTFOUND if there is none.
	FlowVersion(ctx context.Context, botID int64, version int) (*FlowVersion, error)
	// FlowVersions lists a bot's versions, newest first.
	FlowVersions(ctx context.Context, botID int64) ([]FlowVersion, error)

	// CreateDialog stores a new dialog, filling in ID (from the sequence
	// bots share), UUID (when empty), Number (the project's next dialog
	// number, from 1), CreatedAt and UpdatedAt. StoredThrough starts at
	// StateSeq: the created dialog is its own turn, stored.
	CreateDialog(ctx context.Context, d *Dialog) error
	// Dialog returns a project's dialog by UUID; ENOTFOUND if there is none.
	Dialog(ctx context.Context, projectID int64, uuid string) (*Dialog, error)
	// DialogByID returns a project's dialog by integer id; ENOTFOUND if none.
	DialogByID(ctx context.Context, projectID, id int64) (*Dialog, error)
	// ListDialogs returns one page of a project's dialogs, the most recently
	// updated first (UpdatedAt descending, then ID descending), and the number
	// of dialogs that match the filter in all. EINVALID for a negative Limit or
	// Offset or a Limit over 1000.
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
	// negative token count.
	AppendMessages(ctx context.Context, msgs []Message) error
	// Messages lists a dialog's messages by Seq.
	Messages(ctx context.Context, dialogID int64) ([]Message, error)
	// UserMessages returns what a person said in a bot's other dialogs:
	// the user messages of the project's dialogs with botID and userID,
	// except dialog exceptDialogID, newest first, at most limit. An empty
	// userID is nobody's: none.
	UserMessages(ctx context.Context, projectID, botID int64, userID string, exceptDialogID int64, limit int) ([]Message, error)
	// AppendData stores collected data, skipping (DialogID, Seq) already stored.
	AppendData(ctx context.Context, items []DataItem) error
	// Data lists a dialog's collected data by Seq.
	Data(ctx context.Context, dialogID int64) ([]DataItem, error)

	// SaveBlockToken stores the SHA-256 hash of token (never the token) bound to
	// one attempt of a block node of a dialog. Saving the same token again is a
	// no-op that returns the stored record (activity retries). EINVALID for an
	// empty token or a zero ExpiresAt; ENOTFOUND if the dialog is not the project's.
	// Of t, only ProjectID, DialogID, Node, Attempt and ExpiresAt are read.
	// Saving a stored token for another binding (project, dialog, node or
	// attempt) is ECONFLICT; a different ExpiresAt is not, and the first is
	// kept. token must be long and random: it is hashed with a fast hash.
	SaveBlockToken(ctx context.Context, token string, t BlockToken) (*BlockToken, error)
	// BlockTokenByToken returns the record of a plain token; EFORBIDDEN if unknown
	// (expiry and completion are the caller's to check, from the record).
	BlockTokenByToken(ctx context.Context, token string) (*BlockToken, error)
	// CompleteBlockToken marks a token completed, once: EFORBIDDEN if it was
	// completed before (so a second `complete` is refused atomically, even
	// under concurrent calls); ENOTFOUND for an unknown id.
	CompleteBlockToken(ctx context.Context, id int64) error
	// CreateFile records an uploaded file, filling in ID (from its own
	// sequence) and CreatedAt. ENOTFOUND if the dialog is not the project's;
	// EINVALID for an empty name, an empty or malformed MIME type, a negative
	// size or a SHA256 that is not 64 lowercase hex characters. The same
	// content uploaded twice is two records naming one blob.
	CreateFile(ctx context.Context, f *File) error
	// File returns a project's file; ENOTFOUND if there is none (or it is
	// another project's).
	File(ctx context.Context, projectID, id int64) (*File, error)

	KnowledgeStore
}

// Organization owns projects.
type Organization struct {
	ID        int64
	Name      string
	CreatedAt time.Time
}

// Project holds bots, dialogs and API keys.
type Project struct {
	ID        int64
	OrgID     int64
	Name      string
	CreatedAt time.Time
}

// User is a person who signs in: an owner, an operator or a viewer.
type User struct {
	ID        int64
	Email     string
	Name      string
	CreatedAt time.Time
}

// Role is what a user may do in a project.
type Role string

// Roles.
const (
	RoleOwner    Role = "owner"
	RoleOperator Role = "operator"
	RoleViewer   Role = "viewer"
)

// Membership is a user's role in a project.
type Membership struct {
	ProjectID int64
	UserID    int64
	Role      Role
}

// APIKey is a project's API key; only its hash is stored.
type APIKey struct {
	ID        int64
	ProjectID int64
	Name      string
	Prefix    string // the first 7 characters, to recognise a key in lists
	CreatedAt time.Time
}

// BlockToken binds an external service's token to one attempt of a block.
// Only the token's hash is stored.
type BlockToken struct {
	ID          int64
	ProjectID   int64
	DialogID    int64
	Node        string
	Attempt     int
	ExpiresAt   time.Time
	CompletedAt *time.Time // nil until CompleteBlockToken
	CreatedAt   time.Time
}

// File is an uploaded file's record. The bytes live on disk, named by
// their SHA-256; the store keeps only this.
type File struct {
	ID        int64
	ProjectID int64
	DialogID  int64
	Name      string // as uploaded, for Content-Disposition
	MIMEType  string
	Size      int64
	SHA256    string // hex; names the blob on disk
	CreatedAt time.Time
}

// Publish is a request to store a new flow version.
type Publish struct {
	ProjectID int64
	Slug      string
	Name      string // the bot's display name; updates the bot's name
	Source    string // the YAML as written
	Author    string
	Note      string
}

// Published is the result of PublishFlow.
type Published struct {
	Bot     *Bot
	Version *FlowVersion
	Created bool // false when the source equals the current version's
}

// Bot is a project's bot; its flow is versioned.
type Bot struct {
	ID             int64 // from the sequence dialogs share
	UUID           string
	ProjectID      int64
	Slug           string
	Name           string
	CurrentVersion int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// FlowVersion is one published version of a bot's flow.
type FlowVersion struct {
	BotID     int64
	Version   int // 1, 2, ...
	Source    string
	Checksum  string // hex SHA-256 of Source
	Author    string
	Note      string
	CreatedAt time.Time
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
	UserID   string
	Source   string // api, web, telegram, ...
	IP       string
	Location string
	DialogState
	CreatedAt time.Time
}

// DialogFilter selects a project's dialogs. Zero fields do not filter.
type DialogFilter struct {
	BotID       int64
	CreatedFrom *time.Time // inclusive, on CreatedAt
	CreatedTo   *time.Time // inclusive
	UpdatedFrom *time.Time // inclusive, on LastUserAt (the respondent's last message); a dialog without one never matches an Updated bound
	UpdatedTo   *time.Time // inclusive
	Limit       int        // page size; 0 means 40
	Offset      int
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
	PendingCount int
	Title        string
	// WorkingMemory is the Markdown block of facts the model keeps about
	// the dialog (settings.ai.memory.workingMemory).
	WorkingMemory string
	LastUserAt    *time.Time // the respondent's last message
	UpdatedAt     time.Time
	// StoredThrough is the turn up to which every turn of the dialog is
	// stored (see SaveTurn): a watermark, so the workflow can skip storing
	// what is there. Lookups fill it in; writes ignore the caller's value.
	StoredThrough int64
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

// Message is one message of a dialog.
type Message struct {
	ID              string // engine-assigned, unique: "<dialog uuid>-<seq>"
	DialogID        int64
	Seq             int64 // per dialog, shared with DataItem, from 1
	Role            string
	Text            string
	Buttons         []string
	Operator        string // the operator's name, for operator messages
	Node            string // the node that sent it, for bot messages
	ClientMessageID string
	CreatedAt       time.Time
	// Usage is the token usage of the model call that wrote this message;
	// nil for messages no model wrote.
	Usage *Usage
	// Sources are the knowledge chunks the answer was written from; nil
	// for messages that used none.
	Sources []Source
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
	Deleted   bool
	CreatedAt time.Time
}
