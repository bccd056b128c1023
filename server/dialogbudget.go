package server

import (
	"time"

	"github.com/gin-gonic/gin"
)

// DialogLimitName is the route budget of dialogs created, shared by every
// dialect (PARLEY_ROUTE_LIMITS dialogs=N/period replaces it; dialogs=off
// removes it).
const DialogLimitName = "dialogs"

// DefaultDialogLimit is how many dialogs one caller may create: each
// starts a workflow and stores a row that outlives the request, so a
// leaked key must not fill the store at request speed.
var DefaultDialogLimit = RouteLimit{N: 60, Period: time.Minute}

// SpendDialog takes one of the caller's dialog creations, before a
// dialect creates a dialog. The caller is keyed as CallerKey keys it (the
// API key or the user; a widget's anonymous visitor by address), so one
// key shares one budget across dialects. ETOOMANY, with how long to wait
// (Retry-After), when the budget is spent.
func (d Deps) SpendDialog(c *gin.Context) error {
	l := d.dialogLimit
	if l == nil {
		return nil
	}
	if ok, _, _, wait := l.take(CallerKey(c)); !ok {
		return l.tooManyDialogs(wait)
	}
	return nil
}

// DialogBudget is SpendDialog as a middleware, for routes that always
// create a dialog; a refusal is rendered by fail.
func (d Deps) DialogBudget(fail func(*gin.Context, error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := d.SpendDialog(c); err != nil {
			fail(c, err)
		}
	}
}
