package rules

import "github.com/parleyhq/parley/store"

// CleanDialog returns d with its strings cleaned, times as stored and its
// watermark as CreateDialog sets it (every turn up to StateSeq stored), so
// the record a caller keeps equals the one read back.
func CleanDialog(d store.Dialog) store.Dialog {
	d.ExternalID, d.Source, d.IP, d.Location = Clean(d.ExternalID), Clean(d.Source), Clean(d.IP), Clean(d.Location)
	d.UserID = Clean(d.UserID)
	d.DialogState = CleanState(d.DialogState)
	d.StoredThrough = d.StateSeq
	d.CreatedAt = Time(d.CreatedAt)
	return d
}

// CleanState is CleanDialog for a dialog's state.
func CleanState(s store.DialogState) store.DialogState {
	s.Status, s.Mode, s.Node, s.Title = Clean(s.Status), Clean(s.Mode), Clean(s.Node), Clean(s.Title)
	s.WorkingMemory = Clean(s.WorkingMemory)
	s.LastUserAt = TimePtr(s.LastUserAt)
	s.UpdatedAt = Time(s.UpdatedAt)
	s.Handoff = cleanHandoff(s.Handoff)
	s.Scheduled = cleanScheduled(s.Scheduled)
	return s
}

// cleanHandoff is CleanState for a handoff, a copy; nil for none, as a
// dialog that was never handed off reads back.
func cleanHandoff(h *store.Handoff) *store.Handoff {
	if h.HandoffStatus() == store.HandoffNone {
		return nil
	}
	c := *h
	c.Status, c.Queue, c.Reason, c.LastUserText = Clean(c.Status), Clean(c.Queue), Clean(c.Reason), Clean(c.LastUserText)
	c.OperatorID, c.OperatorName = Clean(c.OperatorID), Clean(c.OperatorName)
	c.RequestedAt, c.TakenAt, c.ReleasedAt = TimePtr(c.RequestedAt), TimePtr(c.TakenAt), TimePtr(c.ReleasedAt)
	return &c
}

// CleanPublish returns p with its strings cleaned, so the checksum is that
// of the source as stored.
func CleanPublish(p store.Publish) store.Publish {
	p.Slug, p.Name, p.Source = Clean(p.Slug), Clean(p.Name), Clean(p.Source)
	p.Author, p.Note = Clean(p.Author), Clean(p.Note)
	return p
}

// cleanScheduled is CleanState for scheduled messages, a copy; nil for
// none, as they read back.
func cleanScheduled(ms []store.ScheduledMessage) []store.ScheduledMessage {
	if len(ms) == 0 {
		return nil
	}
	out := make([]store.ScheduledMessage, len(ms))
	for i, m := range ms {
		m.ID, m.Text, m.OperatorID, m.Operator = Clean(m.ID), Clean(m.Text), Clean(m.OperatorID), Clean(m.Operator)
		m.At = Time(m.At)
		out[i] = m
	}
	return out
}
