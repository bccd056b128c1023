package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/store/internal/rules"
)

// CreateOrganization creates an organization.
func (d *DB) CreateOrganization(ctx context.Context, name string) (*store.Organization, error) {
	o := &store.Organization{Name: rules.Clean(name), CreatedAt: d.now()}
	err := d.write(ctx, "creating organization", func(t *tx) error {
		return t.queryRow(ctx, `INSERT INTO organizations (name, created_at) VALUES (?, ?) RETURNING id`,
			o.Name, d.ts(o.CreatedAt)).Scan(&o.ID)
	})
	if err != nil {
		return nil, err
	}
	return o, nil
}

// CreateProject creates a project; ENOTFOUND if the organization does not exist.
func (d *DB) CreateProject(ctx context.Context, orgID int64, name string) (*store.Project, error) {
	p := &store.Project{OrgID: orgID, Name: rules.Clean(name), CreatedAt: d.now()}
	err := d.write(ctx, "creating project", func(t *tx) error {
		if err := t.mustExist(ctx, "organizations", "Organization", orgID); err != nil {
			return err
		}
		return t.queryRow(ctx, `INSERT INTO projects (org_id, name, created_at) VALUES (?, ?, ?) RETURNING id`,
			orgID, p.Name, d.ts(p.CreatedAt)).Scan(&p.ID)
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Project returns a project; ENOTFOUND if there is none.
func (d *DB) Project(ctx context.Context, id int64) (*store.Project, error) {
	p := &store.Project{}
	err := d.queryRow(ctx, `SELECT id, org_id, name, created_at FROM projects WHERE id = ?`, id).
		Scan(&p.ID, &p.OrgID, &p.Name, timeScanner{&p.CreatedAt})
	if err != nil {
		return nil, wrap("loading project", notFound(err, "Project", id))
	}
	return p, nil
}

// Projects lists an organization's projects, oldest first.
func (d *DB) Projects(ctx context.Context, orgID int64) ([]store.Project, error) {
	return list(ctx, d, "listing projects", func(r scanner, p *store.Project) error {
		return r.Scan(&p.ID, &p.OrgID, &p.Name, timeScanner{&p.CreatedAt})
	}, `SELECT id, org_id, name, created_at FROM projects WHERE org_id = ? ORDER BY id`, orgID)
}

// CreateUser creates a user with an argon2id hash of password.
func (d *DB) CreateUser(ctx context.Context, email, name, password string) (*store.User, error) {
	if err := rules.CheckUser(email, password); err != nil {
		return nil, err
	}
	// Hash before the transaction: it takes tens of milliseconds, which
	// other writers should not wait for.
	hash, err := store.HashPassword(password)
	if err != nil {
		return nil, fmt.Errorf("creating user: %w", err)
	}
	u := &store.User{Email: rules.Clean(rules.Email(email)), Name: rules.Clean(name), CreatedAt: d.now()}
	err = d.write(ctx, "creating user", func(t *tx) error {
		err := t.queryRow(ctx, `INSERT INTO users (email, name, password_hash, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			u.Email, u.Name, hash, d.ts(u.CreatedAt)).Scan(&u.ID)
		if d.isUnique(err) {
			return rules.ErrEmailTaken
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// Register creates a user with an organization and a project they own.
func (d *DB) Register(ctx context.Context, nu store.NewUser) (*store.User, *store.Project, error) {
	if err := rules.CheckUser(nu.Email, nu.Password); err != nil {
		return nil, nil, err
	}
	hash, err := store.HashPassword(nu.Password) // before the transaction, as CreateUser
	if err != nil {
		return nil, nil, fmt.Errorf("registering user: %w", err)
	}
	now := d.now()
	u := &store.User{Email: rules.Clean(rules.Email(nu.Email)), FirstName: personName(nu.FirstName), LastName: personName(nu.LastName), CreatedAt: now}
	u.Name = store.JoinName(u.FirstName, u.LastName)
	p := &store.Project{Name: u.Name, CreatedAt: now}
	if p.Name == "" {
		p.Name = u.Email
	}
	err = d.write(ctx, "registering user", func(t *tx) error {
		err := t.queryRow(ctx, `INSERT INTO users (email, name, first_name, last_name, password_hash, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, u.Email, u.Name, u.FirstName, u.LastName, hash, d.ts(now)).Scan(&u.ID)
		if d.isUnique(err) {
			return rules.ErrEmailTaken
		}
		if err != nil {
			return err
		}
		if err := t.queryRow(ctx, `INSERT INTO organizations (name, created_at) VALUES (?, ?) RETURNING id`,
			p.Name, d.ts(now)).Scan(&p.OrgID); err != nil {
			return err
		}
		if err := t.queryRow(ctx, `INSERT INTO projects (org_id, name, created_at) VALUES (?, ?, ?) RETURNING id`,
			p.OrgID, p.Name, d.ts(now)).Scan(&p.ID); err != nil {
			return err
		}
		_, err = t.exec(ctx, `INSERT INTO memberships (user_id, project_id, role, created_at) VALUES (?, ?, ?, ?)`,
			u.ID, p.ID, string(store.RoleOwner), d.ts(now))
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return u, p, nil
}

const userColumns = `id, email, name, first_name, last_name, onboarding_completed, is_admin, last_login_at, created_at`

func scanUser(r scanner, u *store.User, more ...any) error {
	return r.Scan(append([]any{&u.ID, &u.Email, &u.Name, &u.FirstName, &u.LastName, &u.OnboardingCompleted,
		&u.IsAdmin, nullTimeScanner{&u.LastLoginAt}, timeScanner{&u.CreatedAt}}, more...)...)
}

// User returns a user by id.
func (d *DB) User(ctx context.Context, id int64) (*store.User, error) {
	u := &store.User{}
	if err := scanUser(d.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id), u); err != nil {
		return nil, wrap("loading user", notFound(err, "User", id))
	}
	return u, nil
}

// UserByEmail returns a user by email.
func (d *DB) UserByEmail(ctx context.Context, email string) (*store.User, error) {
	u := &store.User{}
	err := scanUser(d.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, rules.Clean(rules.Email(email))), u)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.Errorf(store.ENOTFOUND, "No user has the email %q.", email)
	}
	if err != nil {
		return nil, wrap("loading user", err)
	}
	return u, nil
}

// UpdateProfile sets a user's names and onboarding.
func (d *DB) UpdateProfile(ctx context.Context, u *store.User) error {
	u.FirstName, u.LastName = personName(u.FirstName), personName(u.LastName)
	u.Name = store.JoinName(u.FirstName, u.LastName)
	return d.write(ctx, "updating profile", func(t *tx) error {
		res, err := t.exec(ctx, `UPDATE users SET first_name = ?, last_name = ?, name = ?, onboarding_completed = ? WHERE id = ?`,
			u.FirstName, u.LastName, u.Name, u.OnboardingCompleted, u.ID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return cmpOr(err, store.Errorf(store.ENOTFOUND, "User %d not found.", u.ID))
		}
		return nil
	})
}

// ChangePassword sets a new password and ends the user's other sessions.
func (d *DB) ChangePassword(ctx context.Context, userID int64, current, next, keepSession string) error {
	if next == "" {
		return store.FieldErrorf(store.EINVALID, "new_password", "The new password is empty.")
	}
	var old string
	if err := d.queryRow(ctx, `SELECT password_hash FROM users WHERE id = ?`, userID).Scan(&old); err != nil {
		return wrap("changing password", notFound(err, "User", userID))
	}
	if ok, err := store.VerifyPassword(old, current); err != nil || !ok {
		return cmpOr(err, rules.ErrBadLogin)
	}
	hash, err := store.HashPassword(next)
	if err != nil {
		return fmt.Errorf("changing password: %w", err)
	}
	return d.write(ctx, "changing password", func(t *tx) error {
		if _, err := t.exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, userID); err != nil {
			return err
		}
		_, err := t.exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`, userID, store.HashSecret(keepSession))
		return err
	})
}

// personName is a first or last name as kept: clean, no outer spaces.
func personName(s string) string { return strings.TrimSpace(rules.Clean(s)) }

// cmpOr is err, or def when err is nil.
func cmpOr(err, def error) error {
	if err != nil {
		return err
	}
	return def
}

// Authenticate returns the user with this email and password.
func (d *DB) Authenticate(ctx context.Context, email, password string) (*store.User, error) {
	u := &store.User{}
	var hash string
	err := scanUser(d.queryRow(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE email = ?`, rules.Clean(rules.Email(email))), u, &hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("authenticating: %w", err)
	}
	ok, err := store.VerifyPassword(hash, password) // hash is "" for an unknown email
	switch {
	case err != nil:
		return nil, fmt.Errorf("authenticating user %d: %w", u.ID, err)
	case !ok:
		return nil, rules.ErrBadLogin
	}
	return u, nil
}

// SetMembership gives a user a role in a project, replacing any other.
func (d *DB) SetMembership(ctx context.Context, projectID, userID int64, role store.Role) error {
	if err := rules.CheckRole(role); err != nil {
		return err
	}
	return d.write(ctx, "setting membership", func(t *tx) error {
		if err := t.mustExist(ctx, "projects", "Project", projectID); err != nil {
			return err
		}
		if err := t.mustExist(ctx, "users", "User", userID); err != nil {
			return err
		}
		_, err := t.exec(ctx, `INSERT INTO memberships (user_id, project_id, role, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_id, project_id) DO UPDATE SET role = excluded.role`,
			userID, projectID, string(role), d.ts(d.now()))
		return err
	})
}

// Memberships lists a user's projects and roles, oldest first.
func (d *DB) Memberships(ctx context.Context, userID int64) ([]store.Membership, error) {
	return list(ctx, d, "listing memberships", func(r scanner, m *store.Membership) error {
		return r.Scan(&m.ProjectID, &m.UserID, &m.Role)
	}, `SELECT project_id, user_id, role FROM memberships WHERE user_id = ? ORDER BY id`, userID)
}

// mustExist returns ENOTFOUND (naming kind) unless table has a row with id.
// table is always a constant of this package.
func (t *tx) mustExist(ctx context.Context, table, kind string, id int64) error {
	var one int
	err := t.queryRow(ctx, `SELECT 1 FROM `+table+` WHERE id = ?`, id).Scan(&one)
	return notFound(err, kind, id)
}
