package devtemporal

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// serverLogger adapts the Temporal server's log.Logger to slog. The server logs a lot at
// info level (every service start, shard movement, ...), which would drown parley's own
// output, so only warnings and errors are passed on. Once stopping is set, warnings are
// dropped too: on shutdown the server's internal workers and clients report every closed
// connection as a warning, about a dozen lines of expected noise.
type serverLogger struct {
	log      *slog.Logger
	stopping *atomic.Bool
}

var (
	_ log.Logger     = serverLogger{}
	_ log.WithLogger = serverLogger{}
)

// newServerLogger returns a server logger writing to l at warn and above; nil discards.
// (Not log.NewNoopLogger: its Fatal returns, see below.)
func newServerLogger(l *slog.Logger, stopping *atomic.Bool) log.Logger {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return serverLogger{log: l, stopping: stopping}
}

func (s serverLogger) Debug(string, ...tag.Tag)          {}
func (s serverLogger) Info(string, ...tag.Tag)           {}
func (s serverLogger) Warn(msg string, tags ...tag.Tag)  { s.emit(slog.LevelWarn, msg, tags) }
func (s serverLogger) Error(msg string, tags ...tag.Tag) { s.emit(slog.LevelError, msg, tags) }

// DPanic is only a panic in zap's development mode; here it is an error like in production.
func (s serverLogger) DPanic(msg string, tags ...tag.Tag) { s.emit(slog.LevelError, msg, tags) }

// Panic and Fatal must not return: the server calls them where it cannot go on (e.g. Fatal
// when its gRPC port is taken, and then uses the nil listener). Instead of exiting the parley
// process, they panic with serverFatal, which Start turns into an error during
// startup. After startup such a panic crashes the process like the real server would exit.
func (s serverLogger) Panic(msg string, tags ...tag.Tag) {
	s.emit(slog.LevelError, msg, tags)
	panic(serverFatal{msg: msg, tags: tags})
}

func (s serverLogger) Fatal(msg string, tags ...tag.Tag) {
	s.emit(slog.LevelError, msg, tags)
	panic(serverFatal{msg: msg, tags: tags})
}

// serverFatal is the panic value of serverLogger.Panic and Fatal.
type serverFatal struct {
	msg  string
	tags []tag.Tag
}

func (f serverFatal) Error() string {
	var b strings.Builder
	b.WriteString(f.msg)
	for _, t := range f.tags {
		fmt.Fprintf(&b, " %s=%v", t.Key(), t.Value())
	}
	return b.String()
}

// With lets the server attach its per-component tags once instead of on every call.
func (s serverLogger) With(tags ...tag.Tag) log.Logger {
	return serverLogger{log: slog.New(s.log.Handler().WithAttrs(attrs(tags))), stopping: s.stopping}
}

func (s serverLogger) emit(level slog.Level, msg string, tags []tag.Tag) {
	if level < slog.LevelError && s.stopping.Load() {
		return
	}
	ctx := context.Background()
	if s.log.Enabled(ctx, level) {
		s.log.LogAttrs(ctx, level, msg, attrs(tags)...)
	}
}

func attrs(tags []tag.Tag) []slog.Attr {
	out := make([]slog.Attr, len(tags))
	for i, t := range tags {
		out[i] = slog.Any(t.Key(), t.Value())
	}
	return out
}
