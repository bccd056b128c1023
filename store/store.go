// Package store holds Parley's domain records and the persistence interface.
// One SQL implementation (internal/sqldb) runs on SQLite and on PostgreSQL,
// opened by the sub-packages sqlite and postgres, and one contract test
// suite (storetest) runs against both.
package store

import "context"

// Store is Parley's persistence: one interface per aggregate, which a
// caller that needs only one may take instead. Every lookup of a project's
// object takes the project id, so one project never sees another's data:
// an object of another project is ENOTFOUND. Methods return *Error values
// with the codes in errors.go; anything else is an internal error.
type Store interface {
	Accounts
	Bots
	Dialogs
	Threads
	BlockTokens
	Files
	KnowledgeStore
	EventLog
	Queues
	Webhooks
	Drafts
	TestFiles
	CannedReplies
	Sessions
	Channels
	Integrations
	Billing
	Feedbacks
	QAs
	AITokens
	SealedSecrets
	Origins

	// Ping checks that the database answers a query; an error says it
	// does not (readiness checks).
	Ping(ctx context.Context) error
	// Pool reports the database's connections (the admin's health).
	Pool() PoolStats
	// Close releases the database.
	Close() error
}

// PoolStats are the database's connection pools, the writer's and the
// reader's together where they are two.
type PoolStats struct {
	Database string // "sqlite" or "postgres"
	MaxOpen  int    // the most connections the pools may open; 0: no bound
	Open     int    // connections open now
	InUse    int    // connections running a query now
	Idle     int
}
