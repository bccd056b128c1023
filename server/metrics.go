package server

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/metrics"
)

// recordRequests counts every request by route template, method and
// status, and times it. It runs on every request: it reads what gin
// already knows and leaves the label work to metrics' cache of series.
func recordRequests(m *metrics.Metrics) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		m.ObserveHTTP(route(c), c.Request.Method, c.Writer.Status(), time.Since(start))
	}
}

// metricsRoute serves the metrics in the Prometheus text format.
func metricsRoute(m *metrics.Metrics) gin.HandlerFunc {
	return gin.WrapH(m.Handler())
}
