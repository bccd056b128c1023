package sqldb

import (
	"context"

	"github.com/parleyhq/parley/store"
)

// SetAdmin makes a user an administrator of the installation, or not.
func (d *DB) SetAdmin(ctx context.Context, userID int64, admin bool) error {
	return d.write(ctx, "setting admin", func(t *tx) error {
		res, err := t.exec(ctx, `UPDATE users SET is_admin = ? WHERE id = ?`, admin, userID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return cmpOr(err, store.Errorf(store.ENOTFOUND, "User %d not found.", userID))
		}
		return nil
	})
}

// usersWithStats is every user with their first project (as sign-in
// picks it: the oldest membership), its live bots and dialogs, its billing
// account (NULLs when never opened) and what it has spent: one query for
// a page, not one per user.
const usersWithStats = `SELECT ` + userColumnsOfU + `, COALESCE(f.project_id, 0),
	(SELECT COUNT(*) FROM bots b WHERE b.project_id = f.project_id AND b.deleted_at IS NULL),
	(SELECT COUNT(*) FROM dialogs g WHERE g.project_id = f.project_id AND g.deleted_at IS NULL),
	a.project_id IS NOT NULL, COALESCE(a.credits + a.bonus, 0),
	(SELECT COALESCE(-SUM(t.amount), 0) FROM billing_transactions t WHERE t.project_id = f.project_id AND t.type = ?)
	FROM users u LEFT JOIN memberships f ON f.id = (SELECT MIN(m.id) FROM memberships m WHERE m.user_id = u.id)
	LEFT JOIN billing_accounts a ON a.project_id = f.project_id
	ORDER BY u.id LIMIT ? OFFSET ?`

const userColumnsOfU = `u.id, u.email, u.name, u.first_name, u.last_name, u.onboarding_completed, u.is_admin, u.last_login_at, u.created_at`

// ListUsers pages through every user with their first project's counts.
func (d *DB) ListUsers(ctx context.Context, page store.Page) ([]store.UserStats, int, error) {
	var total int
	if err := d.queryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&total); err != nil {
		return nil, 0, wrap("counting users", err)
	}
	out, err := list(ctx, d, "listing users", func(r scanner, u *store.UserStats) error {
		return scanUser(r, &u.User, &u.ProjectID, &u.Bots, &u.Dialogs, &u.AccountOpened, &u.Balance, &u.Spent)
	}, usersWithStats, store.TransactionCharge, page.Limit, page.Offset)
	return out, total, err
}

// Totals counts the installation's users, active bots and live dialogs.
func (d *DB) Totals(ctx context.Context) (store.Totals, error) {
	var t store.Totals
	err := d.queryRow(ctx, `SELECT (SELECT COUNT(*) FROM users),
		(SELECT COUNT(*) FROM bots WHERE status = ? AND deleted_at IS NULL),
		(SELECT COUNT(*) FROM dialogs WHERE status NOT IN (?, ?, ?) AND deleted_at IS NULL)`,
		store.BotActive, store.StatusCompleted, store.StatusInterrupted, store.StatusError).
		Scan(&t.Users, &t.ActiveBots, &t.LiveDialogs)
	return t, wrap("counting the installation", err)
}
