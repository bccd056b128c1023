package server

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"go.temporal.io/sdk/client"
)

// readyTimeout bounds each readiness check: a load balancer asking must
// hear back before its own timeout.
const readyTimeout = 2 * time.Second

// readyJSON is /readyz's answer: "ready" or "unavailable", and how each
// dependency answered ("ok", or why not).
type readyJSON struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

// ready answers GET /readyz: 200 when the store and Temporal answer, 503
// naming the one that does not. /healthz stays liveness: the process runs.
func ready(d Deps) gin.HandlerFunc {
	return func(c *gin.Context) {
		ctx, cancel := context.WithTimeout(c.Request.Context(), readyTimeout)
		defer cancel()
		checks := map[string]error{"store": d.Store.Ping(ctx), "temporal": temporalHealth(ctx, d)}
		out := readyJSON{Status: "ready", Checks: map[string]string{}}
		for name, err := range checks {
			out.Checks[name] = "ok"
			if err != nil {
				Logger(c).Warn("not ready", "dependency", name, "error", err)
				out.Status, out.Checks[name] = "unavailable", "not answering"
			}
		}
		status := http.StatusOK
		if out.Status != "ready" {
			status = http.StatusServiceUnavailable
		}
		c.JSON(status, out)
	}
}

func temporalHealth(ctx context.Context, d Deps) error {
	if d.Dialogs == nil || d.Dialogs.Temporal == nil {
		return errNoTemporal
	}
	_, err := d.Dialogs.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{})
	return err
}

var errNoTemporal = errors.New("no Temporal client is configured")
