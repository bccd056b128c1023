package replyx_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/parleyhq/parley/billing"
	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/replyx"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
)

// signUpAdmin registers a user, makes them an administrator and returns
// their bearer header.
func signUpAdmin(t *testing.T, e *servertest.Env, email string) string {
	t.Helper()
	bearer := signUp(t, e, email, "password123")
	if err := e.Store.SetAdmin(t.Context(), mustUser(t, e, email).ID, true); err != nil {
		t.Fatal(err)
	}
	return bearer
}

func mustUser(t *testing.T, e *servertest.Env, email string) *store.User {
	t.Helper()
	u, err := e.Store.UserByEmail(t.Context(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

type adminUser struct {
	ID              int64
	Email           string
	FirstName       string `json:"first_name"`
	IsAdmin         bool   `json:"is_admin"`
	Balance         float64
	TotalSpent      float64 `json:"total_spent"`
	AssistantsCount int     `json:"assistants_count"`
	DialogsCount    int     `json:"dialogs_count"`
	CreatedAt       string  `json:"created_at"`
	LastLoginAt     *string `json:"last_login_at"`
}

// TestAdminOnly: every admin route refuses a user who is no administrator,
// an API key and no credentials, before it reads anything.
func TestAdminOnly(t *testing.T) {
	e := servertest.New(t, native.Dialect, replyx.Dialect)
	user := signUp(t, e, "user@example.com", "password123")
	for _, path := range []string{"/api/admin/users", "/api/admin/system/health", "/api/admin/ai-tokens"} {
		wantError(t, e.Do("GET", path, user, nil), http.StatusForbidden, "INSUFFICIENT_PERMISSIONS", "")
		wantError(t, e.Do("GET", path, e.A.Bearer(), nil), http.StatusForbidden, "INSUFFICIENT_PERMISSIONS", "")
		wantError(t, e.Do("GET", path, "", nil), http.StatusUnauthorized, "UNAUTHORIZED", "")
	}
	var in signedIn
	e.Do("POST", "/api/auth/login", "", map[string]any{"email": "user@example.com", "password": "password123"}).JSON(t, &in)
	if in.User.IsAdmin {
		t.Errorf("login says a user is admin: %+v", in.User)
	}
}

// TestAdminUsers: the document's list with each user's balance, spending,
// assistants, dialogs and last sign-in; is_admin in login and /me.
func TestAdminUsers(t *testing.T) {
	bill := &billing.Service{Config: billing.Default()}
	bill.Config.StartBonus = 500 * store.Credits
	e := servertest.NewWith(t, servertest.Options{Billing: bill}, native.Dialect, replyx.Dialect)
	admin := signUpAdmin(t, e, "admin@example.com")
	user := signUp(t, e, "user@example.com", "password123")
	userID := mustUser(t, e, "user@example.com").ID
	ms, err := e.Store.Memberships(t.Context(), userID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.Charge(t.Context(), store.Charge{ProjectID: ms[0].ProjectID, Amount: store.AmountOf(2.5), Description: "gpt-4o-mini"}); err != nil {
		t.Fatal(err)
	}
	r := e.Do("POST", "/api/assistants", user, map[string]any{"name": "Support", "system_prompt": "Be brief."})
	if r.Status != http.StatusCreated && r.Status != http.StatusOK {
		t.Fatalf("create assistant: %d %s", r.Status, r.Body)
	}

	var in signedIn
	e.Do("POST", "/api/auth/login", "", map[string]any{"email": "admin@example.com", "password": "password123"}).JSON(t, &in)
	if !in.User.IsAdmin {
		t.Errorf("login of an admin: %+v", in.User)
	}
	var m me
	e.Do("GET", "/api/users/me", admin, nil).JSON(t, &m)
	if !m.IsAdmin {
		t.Errorf("/me of an admin: %+v", m)
	}

	var list struct {
		Users []adminUser
		Total int
	}
	r = e.Do("GET", "/api/admin/users", admin, nil)
	r.JSON(t, &list)
	// The servertest projects' owners are users too: find ours by email.
	byEmail := map[string]adminUser{}
	for _, u := range list.Users {
		byEmail[u.Email] = u
	}
	a, u := byEmail["admin@example.com"], byEmail["user@example.com"]
	if r.Status != http.StatusOK || list.Total != len(list.Users) || list.Total < 2 {
		t.Fatalf("GET /api/admin/users: %d %s", r.Status, r.Body)
	}
	if !a.IsAdmin || a.LastLoginAt == nil || a.CreatedAt == "" {
		t.Errorf("the admin listed as %+v", a)
	}
	if u.IsAdmin || u.FirstName != "John" || u.AssistantsCount != 1 || u.DialogsCount != 0 || u.Balance != 497.5 || u.TotalSpent != 2.5 || u.LastLoginAt == nil {
		t.Errorf("the user listed as %+v", u)
	}
	if _, err := time.Parse(time.RFC3339, *u.LastLoginAt); err != nil {
		t.Errorf("last_login_at %q: %v", *u.LastLoginAt, err)
	}

	var page struct {
		Users []adminUser
		Total int
	}
	e.Do("GET", "/api/admin/users?limit=1&offset=1", admin, nil).JSON(t, &page)
	if len(page.Users) != 1 || page.Total != list.Total || page.Users[0].ID != list.Users[1].ID {
		t.Errorf("limit=1&offset=1: %+v", page)
	}
	wantError(t, e.Do("GET", "/api/admin/users?limit=0", admin, nil), http.StatusUnprocessableEntity, "VALIDATION_ERROR", "limit")
}

// TestAdminSystemHealth: the document's shape with Parley's figures: the
// database and its pool, Temporal and the test's worker, the counts, the
// disk; Redis, which Parley has not, says so.
func TestAdminSystemHealth(t *testing.T) {
	e := servertest.New(t, native.Dialect, replyx.Dialect)
	admin := signUpAdmin(t, e, "admin@example.com")
	var h struct {
		Status   string
		Database struct {
			Connected         bool
			Type              string
			PoolSize          int `json:"pool_size"`
			ActiveConnections int `json:"active_connections"`
		}
		Redis struct {
			Connected, Used bool
			Note            string
		}
		BotManager struct {
			ActiveBots     int    `json:"active_bots"`
			TotalProcesses int    `json:"total_processes"`
			Uptime         string `json:"uptime"`
		} `json:"bot_manager"`
		Temporal struct {
			Connected bool
			Workers   int
		}
		DiskUsage struct {
			Uploads        string
			Available      *string
			AvailableBytes *int64 `json:"available_bytes"`
		} `json:"disk_usage"`
	}
	// The worker's pollers reach Temporal's task queue a moment after it
	// starts.
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := e.Do("GET", "/api/admin/system/health", admin, nil)
		r.JSON(t, &h)
		if r.Status != http.StatusOK {
			t.Fatalf("health: %d %s", r.Status, r.Body)
		}
		if h.Status == "healthy" || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	bots, err := e.Store.Totals(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if h.Status != "healthy" || !h.Database.Connected || h.Database.Type != "sqlite" || h.Database.PoolSize < 1 {
		t.Errorf("health %+v", h)
	}
	if !h.Temporal.Connected || h.Temporal.Workers < 1 || h.BotManager.TotalProcesses != h.Temporal.Workers ||
		h.BotManager.ActiveBots != bots.ActiveBots || h.BotManager.Uptime == "" {
		t.Errorf("temporal %+v, bot manager %+v (%d active bots in the store)", h.Temporal, h.BotManager, bots.ActiveBots)
	}
	if h.Redis.Connected || h.Redis.Used || h.Redis.Note == "" {
		t.Errorf("redis %+v: Parley has none, and must say so", h.Redis)
	}
	if h.DiskUsage.Uploads == "" || h.DiskUsage.Available == nil || h.DiskUsage.AvailableBytes == nil || *h.DiskUsage.AvailableBytes <= 0 {
		t.Errorf("disk %+v", h.DiskUsage)
	}
}
