package servertest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	sdklog "go.temporal.io/sdk/log"
	serverlog "go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
	"go.temporal.io/server/temporal"
	"go.temporal.io/server/temporaltest"
)

// Where the Temporal side of a test env logs: Options.WorkerLog and
// Options.TemporalServerLog. Without them the SDK's logs go to the test's
// log (temporaltest's default) and the server's are dropped.

// sdkLogger is the Temporal SDK's logger of the env's client and worker,
// writing JSON lines to w at every level: the worker's own lines, the
// workflows' (workflow.GetLogger), the activities' SDK logger and its
// reports of failed activities and workflow tasks. nil for a nil w, so
// temporaltest keeps its own.
func sdkLogger(w io.Writer) sdklog.Logger {
	if w == nil {
		return nil
	}
	return sdklog.NewStructuredLogger(slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})))
}

// serverLogOptions send the in-process Temporal server's logs, info and
// above, to w as JSON lines; none for a nil w.
func serverLogOptions(w io.Writer) []temporaltest.TestServerOption {
	if w == nil {
		return nil
	}
	l := serverLogger{log: slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	return []temporaltest.TestServerOption{temporaltest.WithBaseServerOptions(temporal.WithLogger(l))}
}

// serverLogger adapts the Temporal server's log.Logger to slog.
type serverLogger struct{ log *slog.Logger }

var (
	_ serverlog.Logger     = serverLogger{}
	_ serverlog.WithLogger = serverLogger{}
)

func (s serverLogger) Debug(msg string, tags ...tag.Tag)  { s.emit(slog.LevelDebug, msg, tags) }
func (s serverLogger) Info(msg string, tags ...tag.Tag)   { s.emit(slog.LevelInfo, msg, tags) }
func (s serverLogger) Warn(msg string, tags ...tag.Tag)   { s.emit(slog.LevelWarn, msg, tags) }
func (s serverLogger) Error(msg string, tags ...tag.Tag)  { s.emit(slog.LevelError, msg, tags) }
func (s serverLogger) DPanic(msg string, tags ...tag.Tag) { s.emit(slog.LevelError, msg, tags) }

// Panic and Fatal must not return: the server calls them where it cannot
// go on (zap's would exit the process).
func (s serverLogger) Panic(msg string, tags ...tag.Tag) {
	s.emit(slog.LevelError, msg, tags)
	panic(fatal(msg, tags))
}

func (s serverLogger) Fatal(msg string, tags ...tag.Tag) {
	s.emit(slog.LevelError, msg, tags)
	panic(fatal(msg, tags))
}

func fatal(msg string, tags []tag.Tag) string {
	var b strings.Builder
	b.WriteString("temporal server: " + msg)
	for _, t := range tags {
		fmt.Fprintf(&b, " %s=%v", t.Key(), t.Value())
	}
	return b.String()
}

// With lets the server attach its per-component tags once.
func (s serverLogger) With(tags ...tag.Tag) serverlog.Logger {
	return serverLogger{log: slog.New(s.log.Handler().WithAttrs(attrs(tags)))}
}

func (s serverLogger) emit(level slog.Level, msg string, tags []tag.Tag) {
	if s.log.Enabled(context.Background(), level) {
		s.log.LogAttrs(context.Background(), level, msg, attrs(tags)...)
	}
}

func attrs(tags []tag.Tag) []slog.Attr {
	out := make([]slog.Attr, len(tags))
	for i, t := range tags {
		out[i] = slog.Any(t.Key(), t.Value())
	}
	return out
}
