package store

import (
	"context"
	"time"
)

// TestFiles are the conversation tests of a project's bots, as the web
// editor keeps them: one test file (the YAML of a <bot>.test.yaml) per
// project and bot slug. Like a draft, a test file may exist before its bot
// is published. It is part of Store.
type TestFiles interface {
	// SaveTestFile stores f as the test file of its project's bot f.Slug,
	// replacing the one there, and sets f's Checksum and UpdatedAt.
	// ifMatch, when not "", is the checksum of the file the caller edited:
	// ECONFLICT if the stored file has another or there is none, so two
	// editors never overwrite each other unseen. EINVALID without a slug
	// or a source; ENOTFOUND for an unknown project.
	SaveTestFile(ctx context.Context, f *TestFile, ifMatch string) error
	// TestFile returns a project's test file of a bot; ENOTFOUND if there
	// is none.
	TestFile(ctx context.Context, projectID int64, slug string) (*TestFile, error)
	// DeleteTestFile removes a project's test file of a bot; ENOTFOUND if
	// there is none.
	DeleteTestFile(ctx context.Context, projectID int64, slug string) error
}

// TestFile is the conversation tests of one bot, as written.
type TestFile struct {
	ProjectID int64
	Slug      string
	Source    string // the YAML as written
	Checksum  string // hex SHA-256 of Source: the file's ETag
	Author    string // who saved it last
	UpdatedAt time.Time
}
