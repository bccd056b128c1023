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
	return s
}

// CleanPublish returns p with its strings cleaned, so the checksum is that
// of the source as stored.
func CleanPublish(p store.Publish) store.Publish {
	p.Slug, p.Name, p.Source = Clean(p.Slug), Clean(p.Name), Clean(p.Source)
	p.Author, p.Note = Clean(p.Author), Clean(p.Note)
	return p
}
