package engine

import (
	"time"

	"github.com/parleyhq/parley/store"
)

// State is everything a dialog workflow remembers. It is plain data, so it
// crosses continue-as-new in Params.Resume.
type State struct {
	Flow       FlowRef
	Status     string
	Mode       string
	Node       string // the node the dialog is at (paused at, or last run)
	Waiting    *Waiting
	ResumeNode string // where handing back continues; "" stays where it is
	Variables  map[string]any
	Input      string         // the user's last message
	Pending    int            // user messages no operator has answered
	Handoff    *store.Handoff // the handoff state machine; nil: never handed off
	// Scheduled are operators' messages waiting for their time, the
	// earliest first; ScheduledSeq numbers them.
	Scheduled    []store.ScheduledMessage
	ScheduledSeq int
	Seq          int64 // last message or data sequence number
	StateSeq     int64 // bumped on every change of the dialog row
	StartedAt    time.Time
	Blocks       int              // block attempts so far; numbers each attempt
	Approvals    int              // tool approvals asked so far; numbers each
	Collected    []store.DataItem // collected data so far, sent to block services
	LastActivity time.Time
	LastUserAt   *time.Time
	Title        string // set once, by settings.ai.memory.generateTitle
	TitleAsked   bool
	TitleWanted  *TitleRequest // a title titleLoop has yet to ask for
	// WorkingMemory is the model's Markdown block of facts about the
	// dialog, kept with the update_working_memory tool.
	WorkingMemory string
	// Unstored holds the turns not yet known to be stored, oldest first.
	Unstored []Batch
	// Persisted is the StateSeq known to be stored: by the workflow itself,
	// or by the callers of updates (acknowledged through StoredThrough).
	Persisted int64
	// Recent remembers the results of the last messages by client message
	// id, so a retried message returns the same reply instead of a new turn.
	Recent []RecentTurn
}

// Batch is what one turn produced; Turn is the StateSeq the turn ended with.
type Batch struct {
	Turn     int64
	At       time.Time
	Messages []store.Message
	Data     []store.DataItem
}

// RecentTurn is the remembered result of a message with a client id.
type RecentTurn struct {
	ClientMessageID string
	Result          TurnResult
}

const maxRecent = 20

func (s *State) recent(clientID string) *TurnResult {
	if clientID == "" {
		return nil
	}
	for i := range s.Recent {
		if s.Recent[i].ClientMessageID == clientID {
			return &s.Recent[i].Result
		}
	}
	return nil
}

func (s *State) remember(clientID string, r TurnResult) {
	if clientID == "" {
		return
	}
	s.Recent = append(s.Recent, RecentTurn{ClientMessageID: clientID, Result: r})
	if len(s.Recent) > maxRecent {
		s.Recent = s.Recent[len(s.Recent)-maxRecent:]
	}
}

// Terminal reports whether a dialog with this status has ended.
func Terminal(status string) bool {
	return status == store.StatusCompleted || status == store.StatusInterrupted || status == store.StatusError
}

// dirty reports whether something is not yet stored by the workflow.
func (s *State) dirty() bool {
	return len(s.Unstored) > 0 || s.Persisted < s.StateSeq
}
