package store

import (
	"context"
	"strings"
	"time"
)

// Accounts keeps who may use Parley: organizations, their projects, users,
// their memberships in projects and the projects' API keys. It is part of
// Store.
type Accounts interface {
	// CreateOrganization creates an organization.
	CreateOrganization(ctx context.Context, name string) (*Organization, error)
	// CreateProject creates a project in an organization; ENOTFOUND if the
	// organization does not exist.
	CreateProject(ctx context.Context, orgID int64, name string) (*Project, error)
	// Project returns a project; ENOTFOUND if there is none.
	Project(ctx context.Context, id int64) (*Project, error)
	// Projects lists an organization's projects, oldest first; none for
	// an unknown organization.
	Projects(ctx context.Context, orgID int64) ([]Project, error)

	// CreateUser creates a user, storing an argon2id hash of password.
	// ECONFLICT if the email (compared case-insensitively) is taken;
	// EINVALID if email or password is empty.
	CreateUser(ctx context.Context, email, name, password string) (*User, error)
	// Register signs a new user up: the user, an organization and a
	// project of their own (both named after them), and the user as the
	// project's owner, in one transaction, so a failure leaves nothing.
	// The user's Name is the first and last names joined. ECONFLICT for a
	// taken email, EINVALID as CreateUser.
	Register(ctx context.Context, u NewUser) (*User, *Project, error)
	// User returns a user by id; ENOTFOUND if there is none.
	User(ctx context.Context, id int64) (*User, error)
	// UserByEmail returns a user by email, compared case-insensitively;
	// ENOTFOUND if there is none.
	UserByEmail(ctx context.Context, email string) (*User, error)
	// UpdateProfile sets a user's first and last names (Name follows)
	// and whether they finished onboarding.
	UpdateProfile(ctx context.Context, u *User) error
	// ChangePassword sets a user's password after checking the current
	// one (EUNAUTHORIZED when wrong) and ends every other session of
	// theirs but keepSession (a plain session token, or "").
	ChangePassword(ctx context.Context, userID int64, current, next, keepSession string) error
	// Authenticate returns the user with this email and password;
	// EUNAUTHORIZED if there is none or the password is wrong.
	Authenticate(ctx context.Context, email, password string) (*User, error)
	// SetMembership gives a user a role in a project, replacing any other.
	// EINVALID for an unknown role; ENOTFOUND for an unknown project or user.
	SetMembership(ctx context.Context, projectID, userID int64, role Role) error
	// Memberships lists a user's projects and roles, oldest first.
	Memberships(ctx context.Context, userID int64) ([]Membership, error)
	// SetAdmin makes a user an administrator of the installation (the
	// admin routes), or not; ENOTFOUND for an unknown user.
	SetAdmin(ctx context.Context, userID int64, admin bool) error
	// ListUsers pages through every user of the installation, oldest
	// first, each with the counts of their first project (the one they
	// sign in to), and returns how many there are in all.
	ListUsers(ctx context.Context, page Page) ([]UserStats, int, error)
	// Totals counts the installation's users, active bots and dialogs
	// not ended (the admin's health).
	Totals(ctx context.Context) (Totals, error)

	// CreateAPIKey makes a new random key ("sk-" and 48 base62 characters),
	// stores its SHA-256 hash and returns the plain key, shown only once.
	// ENOTFOUND for an unknown project.
	CreateAPIKey(ctx context.Context, projectID int64, name string) (string, *APIKey, error)
	// RegisterAPIKey stores a key chosen by the caller (PARLEY_DEV_API_KEY);
	// registering the same key for the same project again is a no-op;
	// ECONFLICT if it belongs to another project; EINVALID unless it starts
	// with "sk-" and has at least 20 characters.
	RegisterAPIKey(ctx context.Context, projectID int64, name, key string) (*APIKey, error)
	// APIKeyByKey returns the key record of a plain key; EUNAUTHORIZED if unknown.
	APIKeyByKey(ctx context.Context, key string) (*APIKey, error)
	// APIKeys lists a project's keys, oldest first: their records, never
	// the keys.
	APIKeys(ctx context.Context, projectID int64) ([]APIKey, error)
	// DeleteAPIKey deletes a project's key, which stops working at once;
	// ENOTFOUND if the project has no key keyID.
	DeleteAPIKey(ctx context.Context, projectID, keyID int64) error
	// TouchAPIKey records that a key was used at at: its LastUsedAt becomes
	// at unless it is later already. ENOTFOUND if no key has the id.
	TouchAPIKey(ctx context.Context, keyID int64, at time.Time) error
}

// Organization owns projects.
type Organization struct {
	ID        int64
	Name      string
	CreatedAt time.Time
}

// Project holds bots, dialogs and API keys.
type Project struct {
	ID        int64
	OrgID     int64
	Name      string
	CreatedAt time.Time
}

// User is a person who signs in: an owner, an operator or a viewer.
type User struct {
	ID                  int64
	Email               string
	Name                string // the display name
	FirstName           string
	LastName            string
	OnboardingCompleted bool
	IsAdmin             bool       // administers the installation
	LastLoginAt         *time.Time // the last sign-in (a session made); nil before the first
	CreatedAt           time.Time
}

// UserStats is a user with the counts of their first project.
type UserStats struct {
	User
	ProjectID int64 // the first project of theirs; 0 when they have none
	Bots      int   // the project's bots, deleted ones left out
	Dialogs   int   // the project's dialogs, deleted ones left out
	// AccountOpened says whether the project's billing account is open;
	// Balance is then its credits and bonus.
	AccountOpened bool
	Balance       Amount
	Spent         Amount // what the project's charges took in all
}

// Totals are counts over the whole installation.
type Totals struct {
	Users       int
	ActiveBots  int // bots whose status is active, deleted ones left out
	LiveDialogs int // dialogs not completed, interrupted or failed
}

// Page is a slice of a list: Limit items after Offset.
type Page struct{ Limit, Offset int }

// NewUser is who signs up.
type NewUser struct {
	Email, Password, FirstName, LastName string
}

// JoinName is a display name of first and last names.
func JoinName(first, last string) string {
	return strings.TrimSpace(strings.TrimSpace(first) + " " + strings.TrimSpace(last))
}

// Role is what a user may do in a project.
type Role string

// Roles.
const (
	RoleOwner    Role = "owner"
	RoleOperator Role = "operator"
	RoleViewer   Role = "viewer"
)

// rank orders roles: each may do what the ones below it may.
var rank = map[Role]int{RoleViewer: 1, RoleOperator: 2, RoleOwner: 3}

// AtLeast reports whether r may do what min may; an unknown role may do
// nothing.
func (r Role) AtLeast(min Role) bool { return rank[r] > 0 && rank[r] >= rank[min] }

// Membership is a user's role in a project.
type Membership struct {
	ProjectID int64
	UserID    int64
	Role      Role
}

// APIKey is a project's API key; only its hash is stored.
type APIKey struct {
	ID        int64
	ProjectID int64
	Name      string
	Prefix    string // the first 7 characters, to recognise a key in lists
	CreatedAt time.Time
	// LastUsedAt is when the key was last used, to within the minute the
	// auth path waits between writes of it; nil until it is used.
	LastUsedAt *time.Time
}
