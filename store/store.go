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

	// Ping checks that the database answers a query; an error says it
	// does not (readiness checks).
	Ping(ctx context.Context) error
	// Close releases the database.
	Close() error
}
