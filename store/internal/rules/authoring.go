package rules

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/parleyhq/parley/store"
)

// CheckDraft returns EINVALID for a draft without a slug or a source.
func CheckDraft(d store.Draft) error {
	switch {
	case d.Slug == "":
		return store.FieldErrorf(store.EINVALID, "slug", "A bot slug is required.")
	case strings.TrimSpace(d.Source) == "":
		return store.FieldErrorf(store.EINVALID, "source", "The draft is empty; write the bot file.")
	}
	return nil
}

// DraftChanged is ECONFLICT for a save or delete whose ifMatch no longer
// names the stored draft.
func DraftChanged(slug string) error {
	return store.Errorf(store.ECONFLICT, "The draft of %s changed since you opened it (someone saved or published it); "+
		"load it again and redo your change.", slug)
}

var shortcutPattern = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)

// CannedReply normalises r (the shortcut lower case, without a leading
// "/"; strings cleaned) and returns EINVALID for a bad shortcut or text.
func CannedReply(r store.CannedReply) (store.CannedReply, error) {
	r.Shortcut = CannedPrefix(r.Shortcut)
	r.Text, r.Author = Clean(strings.TrimSpace(r.Text)), Clean(r.Author)
	switch {
	case !shortcutPattern.MatchString(r.Shortcut):
		return r, store.FieldErrorf(store.EINVALID, "shortcut",
			"The shortcut must be 1 to 32 letters, digits, - or _ (as in /refund), got %q.", r.Shortcut)
	case r.Text == "":
		return r, store.FieldErrorf(store.EINVALID, "text", "The reply's text is empty; write what the shortcut inserts.")
	case utf8.RuneCountInString(r.Text) > store.MaxCannedReply:
		return r, store.FieldErrorf(store.EINVALID, "text", "The reply is %d characters long; the most is %d.",
			utf8.RuneCountInString(r.Text), store.MaxCannedReply)
	}
	return r, nil
}

// CannedPrefix is a shortcut or its beginning as stored: lower case,
// without the "/" an operator types.
func CannedPrefix(s string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "/"))
}
