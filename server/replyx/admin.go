package replyx

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// The admin routes serve the installation's administrators (users.is_admin:
// parley dev's PARLEY_ADMIN_EMAIL user, or one `parley admin grant` made);
// they see every project, so everyone else is refused before anything is
// read.

// errNotAdmin refuses a caller who is no administrator.
var errNotAdmin = store.Errorf(store.EFORBIDDEN, "Only an administrator may do this; `parley admin grant EMAIL` makes one.")

// requireAdmin lets only a signed-in administrator through: an API key is
// no user, so it never is one.
func (h *handlers) requireAdmin(c *gin.Context) {
	caller := server.CallerOf(c)
	if caller.UserID == 0 {
		fail(c, errNotAdmin)
		return
	}
	u, err := h.Store.User(c.Request.Context(), caller.UserID)
	if err != nil {
		fail(c, err)
		return
	}
	if !u.IsAdmin {
		fail(c, errNotAdmin)
		return
	}
	c.Next()
}

// adminUserJSON is a user in the admin's list.
type adminUserJSON struct {
	ID              int64        `json:"id"`
	Email           string       `json:"email"`
	FirstName       string       `json:"first_name"`
	LastName        string       `json:"last_name"`
	IsAdmin         bool         `json:"is_admin"`
	Balance         store.Amount `json:"balance"`
	TotalSpent      store.Amount `json:"total_spent"`
	AssistantsCount int          `json:"assistants_count"`
	DialogsCount    int          `json:"dialogs_count"`
	CreatedAt       time.Time    `json:"created_at"`
	LastLoginAt     *time.Time   `json:"last_login_at"`
}

// maxUsersPage bounds GET /api/admin/users' limit.
const maxUsersPage = 200

// listUsers is GET /api/admin/users: every user, oldest first, with the
// balance, spending and counts of the project they sign in to.
func (h *handlers) listUsers(c *gin.Context) {
	var page store.Page
	var err error
	if page.Limit, err = intParam(c, "limit", 50, 1, maxUsersPage); err != nil {
		fail(c, err)
		return
	}
	if page.Offset, err = intParam(c, "offset", 0, 0, 1<<30); err != nil {
		fail(c, err)
		return
	}
	users, total, err := h.Store.ListUsers(c.Request.Context(), page)
	if err != nil {
		fail(c, err)
		return
	}
	startBonus := h.BillingService().Config.StartBonus
	out := make([]adminUserJSON, len(users))
	for i, u := range users {
		out[i] = adminUserJSON{ID: u.ID, Email: u.Email, FirstName: u.FirstName, LastName: u.LastName, IsAdmin: u.IsAdmin,
			AssistantsCount: u.Bots, DialogsCount: u.Dialogs, CreatedAt: u.CreatedAt.UTC(), LastLoginAt: utcOrNil(u.LastLoginAt),
			Balance: u.Balance, TotalSpent: u.Spent}
		if u.ProjectID != 0 && !u.AccountOpened {
			// The account opens with the start bonus when the project
			// first looks at it; listing it does not open it.
			out[i].Balance = startBonus
		}
	}
	c.JSON(http.StatusOK, gin.H{"users": out, "total": total})
}

func utcOrNil(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// systemHealth is GET /api/admin/system/health in ReplyX's shape with
// Parley's figures. ReplyX's redis and log files are parts Parley does
// not have: they say so rather than show numbers; its bot manager is
// Parley's Temporal workers.
func (h *handlers) systemHealth(c *gin.Context) {
	s := server.CheckSystem(c.Request.Context(), h.Deps)
	status := "healthy"
	switch {
	case !s.Database.Connected || !s.Temporal.Connected:
		status = "unhealthy"
	case !s.Healthy():
		status = "degraded" // nothing runs dialogs: they wait for a worker
	}
	db := gin.H{"connected": s.Database.Connected, "type": s.Database.Database, "pool_size": s.Database.MaxOpen,
		"active_connections": s.Database.InUse, "open_connections": s.Database.Open, "idle_connections": s.Database.Idle}
	addError(db, s.Database.Error)
	temporal := gin.H{"connected": s.Temporal.Connected, "workers": s.Temporal.Workers}
	addError(temporal, s.Temporal.Error)
	bots := gin.H{"active_bots": s.Totals.ActiveBots, "active_dialogs": s.Totals.LiveDialogs,
		"total_processes": s.Temporal.Workers, "uptime": uptime(s.Uptime)}
	addError(bots, s.TotalsErr)
	disk := gin.H{"uploads": size(s.Disk.UploadsBytes), "uploads_bytes": s.Disk.UploadsBytes,
		"logs": nil, "logs_note": "Parley writes its log to standard output and keeps no log files."}
	if s.Disk.Known {
		disk["available"], disk["available_bytes"] = size(s.Disk.AvailableBytes), s.Disk.AvailableBytes
	} else {
		disk["available"], disk["available_bytes"] = nil, nil
	}
	addError(disk, s.Disk.Error)
	c.JSON(http.StatusOK, gin.H{
		"status":   status,
		"database": db,
		"redis": gin.H{"connected": false, "used": false,
			"note": "Parley uses no Redis: dialogs live in Temporal, data in the database."},
		"bot_manager": bots,
		"temporal":    temporal,
		"disk_usage":  disk,
	})
}

// addError adds a part's error, when it has one.
func addError(part gin.H, msg string) {
	if msg != "" {
		part["error"] = msg
	}
}

// uptime is d as ReplyX writes it: "5d 12h 30m".
func uptime(d time.Duration) string {
	days, hours, minutes := int(d.Hours())/24, int(d.Hours())%24, int(d.Minutes())%60
	if days > 0 {
		return fmt.Sprintf("%dd %dh %dm", days, hours, minutes)
	}
	return fmt.Sprintf("%dh %dm", hours, minutes)
}

// size is n bytes as ReplyX writes it: "2.1GB", "450MB".
func size(n int64) string {
	units := []string{"B", "KB", "MB", "GB", "TB"}
	v, i := float64(n), 0
	for v >= 1024 && i < len(units)-1 {
		v, i = v/1024, i+1
	}
	if i == 0 {
		return fmt.Sprintf("%dB", n)
	}
	return fmt.Sprintf("%.1f%s", v, units[i])
}
