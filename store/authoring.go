package store

import (
	"context"
	"time"
)

// Drafts are the bot files flow authors are editing: at most one per
// project and bot slug, kept apart from the published versions, so a draft
// never reaches a running dialog until it is published. A draft may be
// broken (that is what drafts are for). It is part of Store.
type Drafts interface {
	// SaveDraft stores d as the draft of its project's bot d.Slug,
	// replacing the one there, and sets d's Checksum and UpdatedAt.
	// ifMatch, when not "", is the checksum of the draft the caller
	// edited: ECONFLICT if the stored draft has another or there is none
	// (someone saved or published in between), so two editors never
	// overwrite each other unseen. EINVALID without a slug or a source;
	// ENOTFOUND for an unknown project.
	SaveDraft(ctx context.Context, d *Draft, ifMatch string) error
	// Draft returns a project's draft of a bot; ENOTFOUND if there is none.
	Draft(ctx context.Context, projectID int64, slug string) (*Draft, error)
	// DeleteDraft removes a project's draft of a bot: ENOTFOUND if there
	// is none; ECONFLICT if ifMatch is not "" and not its checksum.
	DeleteDraft(ctx context.Context, projectID int64, slug, ifMatch string) error
	// ListDrafts lists a project's drafts by slug, without their Source.
	ListDrafts(ctx context.Context, projectID int64) ([]Draft, error)
}

// Draft is a bot file being edited.
type Draft struct {
	ProjectID int64
	Slug      string
	Source    string // the YAML as written
	Checksum  string // hex SHA-256 of Source: the draft's ETag
	// BaseVersion is the published version the draft was begun from, 0
	// for a bot not published yet.
	BaseVersion int
	Author      string
	UpdatedAt   time.Time
}

// CannedReplies are a project's saved operator replies, inserted in the
// inbox's composer by typing their /shortcut. It is part of Store.
type CannedReplies interface {
	// SaveCannedReply stores r under its shortcut, replacing the text of
	// the project's reply with that shortcut if there is one (created
	// false), and fills in r's ID and times. Shortcuts are kept lower
	// case without a leading "/". EINVALID for a shortcut that is not 1 to
	// 32 letters, digits, "-" or "_", or a text that is empty or over
	// MaxCannedReply characters; ENOTFOUND for an unknown project.
	SaveCannedReply(ctx context.Context, r *CannedReply) (created bool, err error)
	// CannedReplies lists a project's replies by shortcut, those whose
	// shortcut starts with prefix ("" for all; a leading "/" is ignored).
	CannedReplies(ctx context.Context, projectID int64, prefix string) ([]CannedReply, error)
	// DeleteCannedReply removes one of a project's replies; ENOTFOUND if
	// it has none with that id.
	DeleteCannedReply(ctx context.Context, projectID, id int64) error
}

// MaxCannedReply is the longest text a canned reply holds, in characters.
const MaxCannedReply = 4000

// CannedReply is a saved operator reply.
type CannedReply struct {
	ID        int64
	ProjectID int64
	Shortcut  string // lower case, without "/"
	Text      string
	Author    string // who saved it last
	CreatedAt time.Time
	UpdatedAt time.Time
}
