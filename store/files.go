package store

import (
	"context"
	"time"
)

// Files keeps the records of files uploaded into dialogs. It is part of
// Store.
type Files interface {
	// CreateFile records an uploaded file, filling in ID (from its own
	// sequence) and CreatedAt. ENOTFOUND if the dialog is not the project's;
	// EINVALID for an empty name, an empty or malformed MIME type, a negative
	// size or a SHA256 that is not 64 lowercase hex characters. The same
	// content uploaded twice is two records naming one blob.
	CreateFile(ctx context.Context, f *File) error
	// File returns a project's file; ENOTFOUND if there is none (or it is
	// another project's).
	File(ctx context.Context, projectID, id int64) (*File, error)
	// DeleteFile removes a project's file record; ENOTFOUND if there is
	// none (or it is another project's). The blob stays: another record
	// may name it.
	DeleteFile(ctx context.Context, projectID, id int64) error
}

// File is an uploaded file's record. The bytes live on disk, named by
// their SHA-256; the store keeps only this.
type File struct {
	ID        int64
	ProjectID int64
	DialogID  int64
	Name      string // as uploaded, for Content-Disposition
	MIMEType  string
	Size      int64
	SHA256    string // hex; names the blob on disk
	CreatedAt time.Time
}
