package store

import (
	"context"
	"time"
)

// Threads are what Worken calls dialogs seen from their channel: found by
// the id a client chose, deleted with their messages, counted. It is part
// of Store.
type Threads interface {
	// DialogByExternalID returns the newest of a project's dialogs with
	// this external id, of the channel (0: of any channel); ENOTFOUND if
	// none.
	DialogByExternalID(ctx context.Context, projectID, channelID int64, externalID string) (*Dialog, error)
	// DeleteDialog deletes a project's dialog's messages, collected data
	// and notes, and marks it deleted: every lookup and list leaves it
	// out from then on. ENOTFOUND if none.
	DeleteDialog(ctx context.Context, projectID, id int64) error
	// MessageStats counts the messages of dialogs by role, with the time
	// of each one's last message; a dialog without messages is left out.
	MessageStats(ctx context.Context, dialogIDs []int64) (map[int64]MessageStats, error)
}

// MessageStats are a dialog's message counts.
type MessageStats struct {
	ByRole map[string]int // by Role
	Total  int
	LastAt time.Time
	// LastText is the text of the last message of the user, the bot or an
	// operator (system messages left out).
	LastText string
}
