// Package rules holds the store's checks, normalisations and messages, apart
// from its SQL (store/internal/sqldb), so they are tested on their own and
// hold for every database.
package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/parleyhq/parley/store"
)

// Time is how a time is stored: in UTC, truncated to the microsecond both
// databases keep, so a record read back equals the one written.
func Time(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// TimePtr is Time for an optional time.
func TimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := Time(*t)
	return &u
}

// Clean makes s storable in both databases: PostgreSQL text refuses NUL
// bytes and invalid UTF-8, so both become U+FFFD everywhere. Otherwise a
// stray NUL in a user's message would fail every retry of a write.
func Clean(s string) string {
	if utf8.ValidString(s) && !strings.ContainsRune(s, 0) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// CleanArgs applies Clean to the string arguments of a statement.
func CleanArgs(args []any) []any {
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = Clean(s)
		}
	}
	return args
}

// Email normalises an email for storing and comparing.
func Email(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// CheckUser returns EINVALID for an empty email or password.
func CheckUser(email, password string) error {
	switch {
	case Email(email) == "":
		return store.Errorf(store.EINVALID, "Email is required.")
	case password == "":
		return store.Errorf(store.EINVALID, "Password is required.")
	}
	return nil
}

// CheckRole returns EINVALID for a role that is not one of store's roles.
func CheckRole(r store.Role) error {
	switch r {
	case store.RoleOwner, store.RoleOperator, store.RoleViewer:
		return nil
	}
	return store.Errorf(store.EINVALID, "Role %q is unknown; use owner, operator or viewer.", r)
}

// CheckPublish returns EINVALID for a publish request without slug or source.
func CheckPublish(p store.Publish) error {
	switch {
	case p.Slug == "":
		return store.Errorf(store.EINVALID, "A bot slug is required.")
	case strings.TrimSpace(p.Source) == "":
		return store.Errorf(store.EINVALID, "The flow source is empty.")
	}
	return nil
}

// Checksum is the hex SHA-256 of a flow's source.
func Checksum(source string) string {
	sum := sha256.Sum256([]byte(source))
	return hex.EncodeToString(sum[:])
}

// NewUUID returns u in canonical form, or a new UUID if u is empty;
// EINVALID if u is not a UUID.
func NewUUID(u string) (string, error) {
	if u == "" {
		return uuid.NewString(), nil
	}
	id, err := uuid.Parse(u)
	if err != nil {
		return "", store.Errorf(store.EINVALID, "%q is not a UUID.", u)
	}
	return id.String(), nil
}

// LookupUUID returns u in canonical form; false if u is not a UUID, which
// can name no record.
func LookupUUID(u string) (string, bool) {
	id, err := uuid.Parse(u)
	if err != nil {
		return "", false
	}
	return id.String(), true
}
