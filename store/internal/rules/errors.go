package rules

import "github.com/parleyhq/parley/store"

// The errors the store returns, worded once.
var (
	ErrBadLogin       = store.Errorf(store.EUNAUTHORIZED, "Email or password is incorrect.")
	ErrUnknownAPIKey  = store.Errorf(store.EUNAUTHORIZED, "The API key is not valid.")
	ErrEmailTaken     = store.Errorf(store.ECONFLICT, "A user with this email already exists.")
	ErrAPIKeyTaken    = store.Errorf(store.ECONFLICT, "This API key belongs to another project.")
	ErrDialogUUIDUsed = store.Errorf(store.ECONFLICT, "A dialog with this UUID already exists.")
	ErrMessageIDUsed  = store.Errorf(store.ECONFLICT, "A message with this ID already exists in another place.")

	ErrUnknownBlockToken   = store.Errorf(store.EFORBIDDEN, "The block token is not valid.")
	ErrBlockTokenCompleted = store.Errorf(store.EFORBIDDEN, "The block token was used already.")
	ErrBlockTokenTaken     = store.Errorf(store.ECONFLICT, "This block token is bound to another block.")
)

// NotFound returns ENOTFOUND for the named kind of record.
func NotFound(kind string, id any) error {
	return store.Errorf(store.ENOTFOUND, "%s %v not found.", kind, id)
}
