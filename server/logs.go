package server

import (
	"log/slog"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// RequestIDHeader carries a request's id: taken from the client (or a
// proxy) when it sends a usable one, made otherwise, and returned.
const RequestIDHeader = "X-Request-Id"

const (
	loggerKey    = "parley.logger"
	maxRequestID = 128
)

// logRequests gives every request an id and a logger that names it, and
// logs the request when it is done: route, status, duration and project.
// Nothing of the request's headers or body is logged, so passwords, API
// keys, block tokens and Authorization headers never reach a log.
func logRequests(base *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		id := requestID(c.GetHeader(RequestIDHeader))
		c.Header(RequestIDHeader, id)
		l := base.With("request_id", id)
		c.Set(loggerKey, l)
		c.Next()
		attrs := []any{"method", c.Request.Method, "route", route(c), "status", c.Writer.Status(),
			"duration_ms", float64(time.Since(start).Microseconds()) / 1000}
		if caller := CallerOf(c); caller.ProjectID != 0 {
			attrs = append(attrs, "project", caller.ProjectID)
		}
		l.Info("request", attrs...)
	}
}

// requestID is the client's id when it is short and printable, a new one
// otherwise, so a client cannot write what it likes into the logs.
func requestID(given string) string {
	if given == "" || len(given) > maxRequestID {
		return uuid.NewString()
	}
	for _, r := range given {
		if r < 0x21 || r > 0x7e {
			return uuid.NewString()
		}
	}
	return given
}

// route is the route template ("/v1/dialogs/:id"), never the path, which
// may carry ids; unknown paths are "unmatched".
func route(c *gin.Context) string {
	if r := c.FullPath(); r != "" {
		return r
	}
	return "unmatched"
}

// Logger is the request's logger, which names its request id.
func Logger(c *gin.Context) *slog.Logger {
	if l, ok := c.Get(loggerKey); ok {
		return l.(*slog.Logger)
	}
	return slog.Default()
}
