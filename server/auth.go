package server

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/store"
)

// Caller is who made a request and in which project.
type Caller struct {
	ProjectID int64
	UserID    int64  // 0 for API keys
	APIKeyID  int64  // the API key's id; 0 for users
	Name      string // the user's email or the key's name
	// Role is what the caller may do: a user's membership's; an API key
	// is the project's own, so an owner's.
	Role store.Role
	// csrf is the X-CSRF-Token a request signed in by a session cookie
	// must carry to change anything; "" for other credentials, which a
	// browser does not send by itself.
	csrf string
	// keyCreated tells an API key from a later one given its id (keyUses).
	keyCreated time.Time
	// session is the session token a cookie or a JWT signed in with; ""
	// for other credentials.
	session string
}

// Session is the session token the caller signed in with (a web app
// cookie's, a JWT's jti); "" for an API key or a password.
func (c Caller) Session() string { return c.session }

const callerKey = "parley.caller"

// Operator is the caller acting as an operator, by a stable id and a
// display name: a user is themself (named as given, else by email); an API
// key acts for the operator its request names (else the key's name), who
// is told from other operators by that name.
func (c Caller) Operator(named string) (id, name string) {
	name = strings.TrimSpace(named)
	if name == "" {
		name = c.Name
	}
	if c.UserID != 0 {
		return "user:" + strconv.FormatInt(c.UserID, 10), name
	}
	return "key:" + name, name
}

// RequireRole lets a request through only when its caller's role may do
// what min may; others get EFORBIDDEN, rendered by fail. It runs after
// Authenticate.
func RequireRole(min store.Role, fail func(c *gin.Context, err error)) gin.HandlerFunc {
	return func(c *gin.Context) {
		if caller := CallerOf(c); !caller.Role.AtLeast(min) {
			fail(c, store.Errorf(store.EFORBIDDEN, "%s is a %s of this project; this needs an %s or more.", caller.Name, caller.Role, min))
			return
		}
		c.Next()
	}
}

// CallerOf returns the authenticated caller of a request.
func CallerOf(c *gin.Context) Caller {
	v, _ := c.Get(callerKey)
	caller, _ := v.(Caller)
	return caller
}

// Authenticate accepts `Authorization: Basic email:password` and
// `Authorization: Bearer sk-...`; anything else is rendered by fail. A
// credential it verified is believed for credentialTTL (see authCache). An
// API key's use is recorded in its last_used_at, at most once a minute
// (see keyUses).
func Authenticate(d Deps, fail func(c *gin.Context, err error)) gin.HandlerFunc {
	return authenticateWith(d.Store, fail, newAuthCache(), authOptions{limits: d.limits, tokens: d.Tokens, cors: d.cors})
}

// AuthenticateWithSessions is Authenticate that also takes the web app's
// session cookie when a request has no Authorization header; a request
// signed in by the cookie changes nothing without its X-CSRF-Token.
func AuthenticateWithSessions(d Deps, fail func(c *gin.Context, err error)) gin.HandlerFunc {
	return authenticateWith(d.Store, fail, newAuthCache(), authOptions{sessions: true, limits: d.limits, tokens: d.Tokens, cors: d.cors})
}

// authOptions are what an authenticateWith takes beyond API keys and
// passwords.
type authOptions struct {
	sessions bool          // the web app's cookie, when there is no Authorization header
	limits   *RouteLimiter // each caller's request rate; nil: no limit
	tokens   *Tokens       // checks JWTs; nil: a JWT is refused
	cors     *corsPolicy   // the CORS headers of the caller's project; nil: none
}

// authenticateWith authenticates (a JWT against the store every time, so
// a signed-out one is refused at once; other credentials through a cache
// of them), adds the CORS headers of the caller's project, then takes a
// token of the caller's request rate.
func authenticateWith(db store.Store, fail func(c *gin.Context, err error), cache *authCache, o authOptions) gin.HandlerFunc {
	return func(c *gin.Context) {
		var caller Caller
		var err error
		if token, ok := bearerJWT(c); ok {
			caller, err = o.tokens.check(c.Request.Context(), db, token)
		} else {
			caller, err = cache.authenticate(c, db, o.sessions)
		}
		if err == nil {
			o.cors.actual(c, caller.ProjectID) // before any refusal, so the page can read it
			err = checkCSRF(c, caller)
		}
		if err == nil {
			err = o.limits.checkCaller(caller)
		}
		if err != nil {
			fail(c, err)
			return
		}
		if err := cache.uses.record(c.Request.Context(), db, caller); err != nil {
			Logger(c).Warn("recording an API key's use failed; the next request tries again", "key", caller.APIKeyID, "error", err)
		}
		c.Set(callerKey, caller)
		c.Next()
	}
}

// credentialTTL is how long a verified credential is believed without
// asking the store again. It bounds how long a key revoked, a password
// changed or a membership removed by another process (or by hand in the
// database) keeps working here; ForgetCredentials makes this process's
// own changes count at once.
const credentialTTL = 10 * time.Second

// maxCachedCredentials bounds an authCache: one entry per distinct
// credential seen within credentialTTL.
const maxCachedCredentials = 10_000

// credentialsEpoch counts ForgetCredentials calls; an entry cached in an
// earlier epoch is not believed.
var credentialsEpoch atomic.Uint64

// ForgetCredentials makes every authentication of this process ask the
// store again. Whatever revokes an API key, changes or resets a password,
// or removes a membership calls it after the change commits.
func ForgetCredentials() { credentialsEpoch.Add(1) }

// authCache remembers who a recently verified Authorization header
// belongs to, so a request does not pay for the store's lookup (and, for
// Basic, argon2id, tens of milliseconds) every time. Entries are keyed by
// an HMAC-SHA256 of the header under a key made when the cache is, never
// by the secret itself; only successes are kept, for credentialTTL.
type authCache struct {
	secret  [32]byte
	ttl     time.Duration
	max     int
	now     func() time.Time
	mu      sync.Mutex
	entries map[[sha256.Size]byte]authEntry
	uses    *keyUses // where the API keys it lets through are recorded
}

type authEntry struct {
	caller  Caller
	expires time.Time
	epoch   uint64
}

func newAuthCache() *authCache {
	a := &authCache{ttl: credentialTTL, max: maxCachedCredentials, now: time.Now, entries: map[[sha256.Size]byte]authEntry{},
		uses: apiKeyUses}
	rand.Read(a.secret[:]) // never fails (crypto/rand)
	return a
}

// authenticate returns the caller of the request's credentials, from the
// cache when it verified them recently.
func (a *authCache) authenticate(c *gin.Context, db store.Store, sessions bool) (Caller, error) {
	header := c.GetHeader("Authorization")
	if header == "" && sessions {
		header = sessionCredential(c)
	}
	if header == "" {
		return Caller{}, errNoCredentials
	}
	project := c.GetHeader(ProjectHeader)
	key := a.digest(header + "\x00" + project) // a password's caller is per project
	// The epoch is read before the store is: a ForgetCredentials during
	// the lookup leaves what it found unbelieved.
	epoch := credentialsEpoch.Load()
	if caller, ok := a.get(key, epoch); ok {
		return caller, nil
	}
	caller, err := authenticate(WithClientAddr(c.Request.Context(), c.ClientIP()), db, header, project)
	if err == nil {
		a.put(key, authEntry{caller: caller, expires: a.now().Add(a.ttl), epoch: epoch})
	}
	return caller, err
}

// digest is the cache key of a header: its HMAC-SHA256 under the cache's
// own random key.
func (a *authCache) digest(header string) [sha256.Size]byte {
	mac := hmac.New(sha256.New, a.secret[:])
	mac.Write([]byte(header))
	var key [sha256.Size]byte
	mac.Sum(key[:0])
	return key
}

func (a *authCache) get(key [sha256.Size]byte, epoch uint64) (Caller, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	e, ok := a.entries[key]
	if !ok || e.epoch != epoch || !a.now().Before(e.expires) {
		return Caller{}, false
	}
	return e.caller, true
}

// put keeps an entry; when the cache is full it first drops what expired
// or was forgotten, and everything if that is not enough.
func (a *authCache) put(key [sha256.Size]byte, e authEntry) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.entries) >= a.max {
		now := a.now()
		for k, old := range a.entries {
			if old.epoch != e.epoch || !now.Before(old.expires) {
				delete(a.entries, k)
			}
		}
		if len(a.entries) >= a.max {
			clear(a.entries)
		}
	}
	a.entries[key] = e
}

// bearerJWT is the request's bearer credential when it is a JWT.
func bearerJWT(c *gin.Context) (string, bool) {
	scheme, value, _ := strings.Cut(c.GetHeader("Authorization"), " ")
	value = strings.TrimSpace(value)
	return value, strings.EqualFold(scheme, "bearer") && IsJWT(value)
}

var errNoCredentials = store.Errorf(store.EUNAUTHORIZED, "Send `Authorization: Basic <email:password>` or `Authorization: Bearer sk-...`.")

// authenticate returns the caller of an Authorization header's value (or
// of a session cookie, as sessionCredential spells it).
func authenticate(ctx context.Context, db store.Store, header, project string) (Caller, error) {
	scheme, value, _ := strings.Cut(header, " ")
	switch strings.ToLower(scheme) {
	case "basic":
		return basicCaller(ctx, db, value, project)
	case "bearer":
		key, err := db.APIKeyByKey(ctx, strings.TrimSpace(value))
		if err != nil {
			return Caller{}, err
		}
		return Caller{ProjectID: key.ProjectID, APIKeyID: key.ID, keyCreated: key.CreatedAt, Name: key.Name, Role: store.RoleOwner}, nil
	case sessionScheme:
		return sessionCaller(ctx, db, store.CookieSession, value)
	}
	return Caller{}, errNoCredentials
}

// ProjectHeader names, with a password (Basic), which of the user's
// projects the request is for; without it, the first they joined. Other
// credentials carry their project and do not read it.
const ProjectHeader = "X-Project-Id"

// projectAsked is the project a ProjectHeader value names: 0 for none.
func projectAsked(v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, store.Errorf(store.EUNAUTHORIZED, "%s is a project's id, a number such as 7; got %q.", ProjectHeader, v)
	}
	return id, nil
}

// Membership is a user's membership in project (0: the first they
// joined); EFORBIDDEN if they are not a member of it.
func Membership(ctx context.Context, db store.Store, user *store.User, project int64) (store.Membership, error) {
	ms, err := db.Memberships(ctx, user.ID)
	if err != nil {
		return store.Membership{}, err
	}
	for _, m := range ms {
		if project == 0 || m.ProjectID == project {
			return m, nil
		}
	}
	if project == 0 {
		return store.Membership{}, store.Errorf(store.EFORBIDDEN, "%s is not a member of any project.", user.Email)
	}
	return store.Membership{}, store.Errorf(store.EFORBIDDEN, "%s is not a member of project %d.", user.Email, project)
}

// basicCaller is the user of a Basic credential in the project a
// ProjectHeader value names (or their first).
func basicCaller(ctx context.Context, db store.Store, value, projectHeader string) (Caller, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(value))
	email, password, ok := strings.Cut(string(raw), ":")
	if err != nil || !ok {
		return Caller{}, errNoCredentials
	}
	project, err := projectAsked(projectHeader)
	if err != nil {
		return Caller{}, err
	}
	user, err := CheckPassword(ctx, db, email, password)
	if err != nil {
		return Caller{}, err
	}
	m, err := Membership(ctx, db, user, project)
	if err != nil {
		return Caller{}, err
	}
	return Caller{ProjectID: m.ProjectID, UserID: user.ID, Name: user.Email, Role: m.Role}, nil
}
