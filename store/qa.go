package store

import (
	"context"
	"time"
)

// QAs keeps questions with their exact answers in a project's knowledge
// bases (ReplyX's Q&A knowledge). It is part of Store.
type QAs interface {
	// CreateQA stores an entry in one of the project's vector stores and
	// fills in its ID and CreatedAt. EINVALID without a question or an
	// answer; ENOTFOUND for a store not of the project.
	CreateQA(ctx context.Context, q *QA) error
	// QAs lists the entries of some of a project's stores, oldest first;
	// those of other projects' stores are left out.
	QAs(ctx context.Context, projectID int64, storeIDs []int64) ([]QA, error)
}

// QA is a question and its exact answer.
type QA struct {
	ID        int64
	ProjectID int64
	StoreID   int64
	Question  string
	Answer    string
	Tags      []string
	CreatedAt time.Time
}
