package server

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/metrics"
)

// BenchmarkMetricsMiddleware measures what recordRequests adds to a
// request: "off" is the same router without it.
func BenchmarkMetricsMiddleware(b *testing.B) {
	m := metrics.New()
	defer m.Close()
	for _, bb := range []struct {
		name string
		use  []gin.HandlerFunc
	}{{"off", nil}, {"on", []gin.HandlerFunc{recordRequests(m)}}} {
		b.Run(bb.name, func(b *testing.B) {
			gin.SetMode(gin.ReleaseMode)
			r := gin.New()
			r.Use(bb.use...)
			r.GET("/v1/dialogs/:id", func(c *gin.Context) { c.Status(http.StatusNoContent) })
			req := httptest.NewRequest("GET", "/v1/dialogs/42", nil)
			w := &discard{header: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				r.ServeHTTP(w, req)
			}
		})
	}
}

// discard is a ResponseWriter that keeps nothing, so the benchmark
// measures the router and not a recorder.
type discard struct{ header http.Header }

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}
