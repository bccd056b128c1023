// Package store holds Parley's domain records and the persistence interface.
// Implementations live in sub-packages (sqlite, postgres) and are kept equal
// by one contract test suite (storetest).
package store

// Store is Parley's persistence: one interface per aggregate, which a
// caller that needs only one may take instead. Every lookup of a project's
// object takes the project id, so one project never sees another's data:
// an object of another project is ENOTFOUND. Methods return *Error values
// with the codes in errors.go; anything else is an internal error.
type Store interface {
	Accounts
	Bots
	Dialogs
	BlockTokens
	Files
	KnowledgeStore

	// Close releases the database.
	Close() error
}
