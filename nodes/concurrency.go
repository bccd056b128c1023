package nodes

import (
	"time"

	"github.com/parleyhq/parley/flows"
)

// What a bot does with a message that comes while it is still answering
// the one before (double texting): settings.concurrency.
const (
	ConcurrencyQueue    = "queue"    // each message is answered, in order (the default)
	ConcurrencyReject   = "reject"   // the message is refused (409) while a turn runs
	ConcurrencyDebounce = "debounce" // messages close together are one turn
)

// DefaultDebounce is how long a debouncing bot waits for more messages.
const DefaultDebounce = 2 * time.Second

// Concurrency is a bot's settings.concurrency.
type Concurrency struct {
	Mode   string
	Window time.Duration // debounce: a turn starts once no message came for this long
}

func concurrencyField() *flows.Field {
	return flows.ObjectField("concurrency", "What the bot does with a message sent while it is still answering the one before.",
		flows.EnumField("mode", "queue: each message is answered, in order; reject: refused (409) while a turn runs; "+
			"debounce: messages that come within window of each other are one turn.",
			ConcurrencyQueue, ConcurrencyReject, ConcurrencyDebounce).Def(ConcurrencyQueue),
		flows.NewField("window", flows.TypeDuration, "For debounce: how long the bot waits for another message before it answers.").Def("2s").Ex("2s"),
	).Ex(map[string]any{"mode": "debounce", "window": "2s"})
}

// ConcurrencyOf decodes a flow's settings.concurrency, defaults filled in.
func ConcurrencyOf(f *flows.Flow) Concurrency {
	c := Concurrency{Mode: ConcurrencyQueue, Window: DefaultDebounce}
	obj := f.Settings.Object("concurrency")
	if obj == nil {
		return c
	}
	if m := obj.String("mode"); m != "" {
		c.Mode = m
	}
	if w := obj.Duration("window"); w > 0 {
		c.Window = w
	}
	return c
}
