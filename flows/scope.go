package flows

import (
	"maps"
	"time"
)

// Scope is what expressions see at run time: the dialog's variables plus the
// built-in names. Now is the workflow's time, never the wall clock.
type Scope struct {
	Variables map[string]any
	Input     string
	Dialog    DialogInfo
	User      map[string]any
	Now       time.Time
}

// DialogInfo is the `dialog` value of expressions.
type DialogInfo struct {
	ID        string
	Number    int
	Bot       string
	Channel   string
	Source    string
	StartedAt time.Time
}

// Env returns the environment to run compiled expressions against.
func (s Scope) Env() map[string]any {
	env := make(map[string]any, len(s.Variables)+4)
	maps.Copy(env, s.Variables)
	user := map[string]any{"id": "", "name": "", "email": "", "phone": ""}
	maps.Copy(user, s.User)
	now := s.Now
	env["input"] = s.Input
	env["dialog"] = map[string]any{
		"id": s.Dialog.ID, "number": s.Dialog.Number, "bot": s.Dialog.Bot,
		"channel": s.Dialog.Channel, "source": s.Dialog.Source, "started_at": s.Dialog.StartedAt,
	}
	env["user"] = user
	env["now"] = func() time.Time { return now }
	return env
}
