package rules

import (
	"strings"

	"github.com/parleyhq/parley/store"
)

// CheckTestFile returns EINVALID for a test file without a slug or a
// source.
func CheckTestFile(f store.TestFile) error {
	switch {
	case f.Slug == "":
		return store.FieldErrorf(store.EINVALID, "slug", "A bot slug is required.")
	case strings.TrimSpace(f.Source) == "":
		return store.FieldErrorf(store.EINVALID, "source", "The test file is empty; write `tests:` with at least the list.")
	}
	return nil
}

// TestFileChanged is ECONFLICT for a save whose ifMatch no longer names
// the stored test file.
func TestFileChanged(slug string) error {
	return store.Errorf(store.ECONFLICT, "The tests of %s changed since you opened them (someone saved them meanwhile); "+
		"load them again and redo your change.", slug)
}
