package server_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/client"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store/sqlite"
)

type readiness struct {
	Status string
	Checks map[string]string
}

func TestReadyz(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	var got readiness
	r := e.Do("GET", "/readyz", "", nil)
	r.JSON(t, &got)
	if r.Status != http.StatusOK || got.Status != "ready" || got.Checks["store"] != "ok" || got.Checks["temporal"] != "ok" {
		t.Errorf("with everything up: %d %s", r.Status, r.Body)
	}
	if err := e.Store.Close(); err != nil {
		t.Fatal(err)
	}
	r = e.Do("GET", "/readyz", "", nil)
	r.JSON(t, &got)
	if r.Status != http.StatusServiceUnavailable || got.Status != "unavailable" || got.Checks["store"] == "ok" || got.Checks["temporal"] != "ok" {
		t.Errorf("with the store closed: %d %s", r.Status, r.Body)
	}
	if r := e.Do("GET", "/healthz", "", nil); r.Status != http.StatusOK {
		t.Errorf("liveness with the store closed: %d %s", r.Status, r.Body)
	}
}

func TestReadyzWithoutTemporal(t *testing.T) {
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "parley.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tc, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"}) // nothing listens there
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	h, err := server.New(server.Deps{Store: db, Dialogs: &dialogs.Service{Store: db, Temporal: tc}}, native.Dialect)
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/readyz", nil))
	var got readiness
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != http.StatusServiceUnavailable ||
		got.Checks["temporal"] == "ok" || got.Checks["store"] != "ok" {
		t.Errorf("with Temporal down: %d %s", w.Code, w.Body)
	}
}
