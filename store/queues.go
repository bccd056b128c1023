package store

import (
	"context"
	"time"
)

// Queues are the operator queues handed-off dialogs wait in
// (Handoff.Queue), read from the dialogs' handoff state. It is part of
// Store.
type Queues interface {
	// Queues summarizes a project's queues that have dialogs waiting or
	// taken, by name.
	Queues(ctx context.Context, projectID int64) ([]QueueSummary, error)
	// QueueDialogs lists the dialogs waiting in a project's queue, in
	// order of request (RequestedAt, then ID), at most limit (0 means
	// 100; at most 1000).
	QueueDialogs(ctx context.Context, projectID int64, queue string, limit int) ([]Dialog, error)
}

// QueueSummary is one queue's state.
type QueueSummary struct {
	Name          string
	Waiting       int        // dialogs requested and not taken
	OldestRequest *time.Time // the RequestedAt of the longest waiting; nil when none waits
	Taken         int        // dialogs of the queue an operator has now
}
