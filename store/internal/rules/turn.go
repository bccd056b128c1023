package rules

import (
	"slices"
	"time"

	"github.com/parleyhq/parley/store"
)

// Turn is a store.Turn ready to write: its state cleaned, with UpdatedAt
// set, and its JSON values encoded, so that a transaction holds its locks
// only for the statements. The store's SaveTurn, AppendMessages, AppendData
// and SaveDialogState write one.
type Turn struct {
	Messages  []store.Message
	Buttons   []string // Messages[i].Buttons as JSON
	Sources   []any    // Messages[i].Sources as JSON, nil (NULL) for none
	Files     []any    // Messages[i].Files as JSON, nil (NULL) for none
	Data      []store.DataItem
	State     *store.DialogState // nil: no state to save
	Variables string             // State.Variables as JSON
	Scheduled string             // State.Scheduled as JSON, [] for none
	Through   bool               // store.Turn's Through
}

// PrepareTurn readies t for writing; EINVALID for a message whose Usage
// has a negative token count or whose Sources have a score that is not a
// finite number. A state with a zero UpdatedAt gets
// now(): otherwise it is kept, as the workflow's clock decides it. t itself
// is not changed.
func PrepareTurn(t store.Turn, now func() time.Time) (Turn, error) {
	p := Turn{Messages: t.Messages, Data: t.Data, Through: t.Through}
	if len(t.Messages) > 0 {
		p.Buttons = make([]string, len(t.Messages))
		p.Sources = make([]any, len(t.Messages))
		p.Files = make([]any, len(t.Messages))
		for i, m := range t.Messages {
			if err := CheckUsage(m.Usage); err != nil {
				return Turn{}, err
			}
			if err := CheckSources(m.Sources); err != nil {
				return Turn{}, err
			}
			b, err := JSON(m.Buttons)
			if err != nil {
				return Turn{}, err
			}
			p.Buttons[i] = b
			if p.Sources[i], err = Sources(m.Sources); err != nil {
				return Turn{}, err
			}
			if len(m.Files) > 0 {
				if p.Files[i], err = JSON(m.Files); err != nil {
					return Turn{}, err
				}
			}
		}
	}
	if t.State != nil {
		s := CleanState(*t.State)
		if s.UpdatedAt.IsZero() {
			s.UpdatedAt = Time(now())
		}
		vars, err := JSON(s.Variables)
		if err != nil {
			return Turn{}, err
		}
		if p.Scheduled, err = ScheduledJSON(s.Scheduled); err != nil {
			return Turn{}, err
		}
		p.State, p.Variables = &s, vars
	}
	return p, nil
}

// Empty reports whether the turn has nothing to write.
func (t *Turn) Empty() bool { return len(t.Messages) == 0 && len(t.Data) == 0 && t.State == nil }

// DialogIDs returns the ids of the dialogs the turn writes to, sorted and
// without repeats.
func (t *Turn) DialogIDs() []int64 {
	ids := make([]int64, 0, len(t.Messages)+len(t.Data)+1)
	for _, m := range t.Messages {
		ids = append(ids, m.DialogID)
	}
	for _, it := range t.Data {
		ids = append(ids, it.DialogID)
	}
	if t.State != nil {
		ids = append(ids, t.State.DialogID)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// Without is the turn less what it writes to the dialogs gone (deleted
// while a write of theirs was on its way, such as a workflow's late
// persist): a deleted dialog's messages stay deleted.
func (t Turn) Without(gone map[int64]bool) Turn {
	if len(gone) == 0 {
		return t
	}
	out := Turn{State: t.State, Variables: t.Variables, Scheduled: t.Scheduled, Through: t.Through}
	if t.State != nil && gone[t.State.DialogID] {
		out.State = nil
	}
	for i, m := range t.Messages {
		if !gone[m.DialogID] {
			out.Messages = append(out.Messages, m)
			out.Buttons = append(out.Buttons, t.Buttons[i])
			out.Sources = append(out.Sources, t.Sources[i])
			out.Files = append(out.Files, t.Files[i])
		}
	}
	for _, it := range t.Data {
		if !gone[it.DialogID] {
			out.Data = append(out.Data, it)
		}
	}
	return out
}
