package rules

import (
	"mime"
	"strings"

	"github.com/parleyhq/parley/store"
)

// File returns the record CreateFile stores for f: its fields as stored,
// and nothing the store fills in (ID, CreatedAt). EINVALID for a blank
// name, an empty or malformed MIME type (type/subtype, optionally with
// parameters), a negative size or a SHA256 that is not 64 lowercase hex
// characters.
func File(f store.File) (store.File, error) {
	switch {
	case strings.TrimSpace(f.Name) == "":
		return store.File{}, store.Errorf(store.EINVALID, "A file name is required.")
	case f.MIMEType == "":
		return store.File{}, store.Errorf(store.EINVALID, "A file's MIME type is required.")
	case !MIMEType(f.MIMEType):
		return store.File{}, store.Errorf(store.EINVALID, "%q is not a MIME type.", f.MIMEType)
	case f.Size < 0:
		return store.File{}, store.Errorf(store.EINVALID, "A file's size cannot be negative.")
	case !SHA256Hex(f.SHA256):
		return store.File{}, store.Errorf(store.EINVALID, "A file's SHA-256 must be 64 lowercase hex characters.")
	}
	return store.File{ProjectID: f.ProjectID, DialogID: f.DialogID, Name: Clean(f.Name),
		MIMEType: f.MIMEType, Size: f.Size, SHA256: f.SHA256}, nil
}

// MIMEType reports whether s is a media type, "type/subtype" with optional
// parameters, as a Content-Type header may carry it. mime.ParseMediaType
// alone also takes a bare token such as "text" (a disposition).
func MIMEType(s string) bool {
	mt, _, err := mime.ParseMediaType(s)
	return err == nil && strings.Contains(mt, "/")
}

// SHA256Hex reports whether s is a SHA-256 in lowercase hex.
func SHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
