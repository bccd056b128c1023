package worken

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"html/template"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/oauth2"

	"github.com/parleyhq/parley/netguard"
	"github.com/parleyhq/parley/secretbox"
	"github.com/parleyhq/parley/server"
	"github.com/parleyhq/parley/store"
)

// Worken's OAuth flow for integrations: POST /integrations/:id/oauth/start
// hands out the vendor's authorization URL, with a state and a PKCE (S256)
// challenge whose verifier is sealed in the integration's auth_data under
// "_oauth"; the vendor sends the user's browser back to GET
// /integrations/:id/oauth/callback, which trades the code for tokens at
// the vendor's token endpoint and seals them in auth_data.
//
// The exchange is golang.org/x/oauth2's Config.Exchange with
// VerifierOption: RFC 6749's form-encoded authorization_code grant and
// token response (including the error body), which we would otherwise
// write by hand.

const (
	// oauthKey is the auth_data key of a started flow.
	oauthKey = "_oauth"
	// oauthStateTTL is how long a user has to authorize after start.
	oauthStateTTL = 15 * time.Minute
	// oauthTimeout bounds the call to a vendor's token endpoint.
	oauthTimeout = 30 * time.Second
)

// oauthVendors are where each OAuth vendor's users authorize Parley.
var oauthVendors = map[string]string{
	"amocrm": "https://www.amocrm.ru/oauth",
	"bitrix": "https://oauth.bitrix.info/oauth/authorize/",
	"google": "https://accounts.google.com/o/oauth2/v2/auth",
	"yandex": "https://oauth.yandex.ru/authorize",
}

// oauthTokenURLs are where each vendor trades a code for tokens. amoCRM
// really issues them at the account's own domain
// (https://<subdomain>.amocrm.ru/oauth2/access_token); until Parley reads
// the account from the callback, PARLEY_OAUTH_AMOCRM_TOKEN_URL names it.
var oauthTokenURLs = map[string]string{
	"amocrm": "https://www.amocrm.ru/oauth2/access_token",
	"bitrix": "https://oauth.bitrix.info/oauth/token/",
	"google": "https://oauth2.googleapis.com/token",
	"yandex": "https://oauth.yandex.ru/token",
}

// oauthScopes are the scopes asked of each vendor unless
// PARLEY_OAUTH_<VENDOR>_SCOPES (space-separated) says others. Google
// refuses an authorization without one; the others grant what the app
// was registered with.
var oauthScopes = map[string]string{
	"google": "openid email profile",
}

// oauthScopesOf is the scopes to ask of a vendor.
func oauthScopesOf(vendor string) []string {
	if v, ok := os.LookupEnv("PARLEY_OAUTH_" + strings.ToUpper(vendor) + "_SCOPES"); ok {
		return strings.Fields(v)
	}
	return strings.Fields(oauthScopes[vendor])
}

// oauthEnv names the variables of a vendor's OAuth client.
func oauthEnv(vendor string) (id, secret string) {
	v := "PARLEY_OAUTH_" + strings.ToUpper(vendor)
	return v + "_CLIENT_ID", v + "_CLIENT_SECRET"
}

// oauthTokenEnv names the variable that replaces a vendor's token URL.
func oauthTokenEnv(vendor string) string {
	return "PARLEY_OAUTH_" + strings.ToUpper(vendor) + "_TOKEN_URL"
}

// oauthConfig is the OAuth client of in's vendor on this server. EINVALID
// when the vendor does not use OAuth or its client's variables are unset.
func (h *handlers) oauthConfig(in *store.Integration) (*oauth2.Config, error) {
	authURL, isOAuth := oauthVendors[in.Vendor]
	if !isOAuth {
		return nil, store.Errorf(store.EINVALID, "%s integrations do not use OAuth; send their credentials as auth_data.", in.Vendor)
	}
	idVar, secretVar := oauthEnv(in.Vendor)
	id, secret := os.Getenv(idVar), os.Getenv(secretVar)
	if id == "" || secret == "" {
		return nil, store.Errorf(store.EINVALID, "This server has no %s OAuth client: set %s and %s and restart it.", in.Vendor, idVar, secretVar)
	}
	tokenURL := os.Getenv(oauthTokenEnv(in.Vendor))
	if tokenURL == "" {
		tokenURL = oauthTokenURLs[in.Vendor]
	}
	return &oauth2.Config{ClientID: id, ClientSecret: secret, Scopes: oauthScopesOf(in.Vendor),
		// In the form, not Basic auth: every vendor here takes it there,
		// and AutoDetect would send a refused code twice.
		Endpoint:    oauth2.Endpoint{AuthURL: authURL, TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams},
		RedirectURL: h.PublicURL + "/integrations/" + in.UUID + "/oauth/callback"}, nil
}

// oauthStart is POST /integrations/:id/oauth/start: the vendor's
// authorization URL, with a state and a PKCE challenge whose verifier is
// kept sealed with the integration's auth_data.
func (h *handlers) oauthStart(c *gin.Context) {
	in, ok := h.integration(c)
	if !ok {
		return
	}
	conf, err := h.oauthConfig(in)
	if err != nil {
		fail(c, err)
		return
	}
	auth, err := h.openAuth(in)
	if err != nil {
		fail(c, err)
		return
	}
	state, verifier := oauth2.GenerateVerifier(), oauth2.GenerateVerifier()
	auth[oauthKey] = map[string]any{"state": state, "verifier": verifier, "at": time.Now().UTC().Format(time.RFC3339)}
	if err := h.sealAuth(in, auth); err != nil {
		fail(c, err)
		return
	}
	if err := h.Store.UpdateIntegration(c.Request.Context(), in); err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"url": conf.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))})
}

// oauthLocks serialize callbacks of one integration in this process, so
// a state is used once even by two callbacks at the same moment. Across
// processes the vendor's one-time code is what stops a second exchange.
var oauthLocks [64]sync.Mutex

func oauthLock(uuid string) *sync.Mutex {
	f := fnv.New32a()
	f.Write([]byte(uuid))
	return &oauthLocks[f.Sum32()%uint32(len(oauthLocks))]
}

// oauthCallback is GET /integrations/:id/oauth/callback, where the vendor
// sends the user's browser back: no API key, the state is the key. It
// trades the code for tokens, seals them in auth_data, marks the
// integration active and answers a page for the user. A refused code
// leaves the integration as it was.
func (h *handlers) oauthCallback(c *gin.Context) {
	ctx := c.Request.Context()
	mu := oauthLock(c.Param("id"))
	mu.Lock()
	defer mu.Unlock()
	in, err := h.Store.IntegrationOfAnyProject(ctx, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	if vendorErr := c.Query("error"); vendorErr != "" {
		fail(c, store.Errorf(store.EMALFORMED, "%s did not authorize Parley: %s. Start again from the integration.", in.Vendor, vendorText(vendorErr, c.Query("error_description"))))
		return
	}
	auth, verifier, err := h.checkState(in, c.Query("state"))
	if err != nil {
		fail(c, err)
		return
	}
	conf, err := h.oauthConfig(in)
	if err != nil {
		fail(c, err)
		return
	}
	code := c.Query("code")
	if code == "" {
		fail(c, store.Errorf(store.EMALFORMED, "The callback has no code; start again from the integration."))
		return
	}
	tok, err := h.exchange(ctx, conf, code, verifier)
	if err != nil {
		h.vendorFailed(c, in.Vendor, err)
		return
	}
	// A vendor that sends no new refresh token (Google, connecting again)
	// keeps the old one valid; an old expiry would be wrong.
	delete(auth, oauthKey)
	delete(auth, "expires_at")
	auth["access_token"], auth["token_type"] = tok.AccessToken, tok.Type()
	if tok.RefreshToken != "" {
		auth["refresh_token"] = tok.RefreshToken
	}
	if !tok.Expiry.IsZero() {
		auth["expires_at"] = tok.Expiry.UTC().Format(time.RFC3339)
	}
	if err := h.sealAuth(in, auth); err != nil {
		fail(c, err)
		return
	}
	in.Status = store.IntegrationActive
	if err := h.Store.UpdateIntegration(ctx, in); err != nil {
		fail(c, err)
		return
	}
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Header("Cache-Control", "no-store")
	c.Header("Referrer-Policy", "no-referrer") // the URL holds the code and state
	c.Status(http.StatusOK)
	if err := connectedPage.Execute(c.Writer, in); err != nil {
		server.Logger(c).Warn("writing the OAuth page failed", "integration", in.UUID, "error", err)
	}
}

var errBadState = store.Errorf(store.EMALFORMED, "This authorization link is not valid: it was used already, replaced by a newer one, or not made by Parley. Start again from the integration.")

// checkState returns in's opened auth_data and its verifier when state
// is the one oauthStart sealed and is not older than oauthStateTTL.
func (h *handlers) checkState(in *store.Integration, state string) (map[string]any, string, error) {
	auth, err := h.openAuth(in)
	if err != nil {
		return nil, "", err
	}
	started, _ := auth[oauthKey].(map[string]any)
	want, _ := started["state"].(string)
	verifier, _ := started["verifier"].(string)
	if state == "" || want == "" || verifier == "" || subtle.ConstantTimeCompare([]byte(state), []byte(want)) != 1 {
		return nil, "", errBadState
	}
	at, _ := started["at"].(string)
	if t, err := time.Parse(time.RFC3339, at); err != nil || time.Since(t) > oauthStateTTL {
		return nil, "", store.Errorf(store.EMALFORMED, "This authorization link is older than %d minutes; start again from the integration.", int(oauthStateTTL.Minutes()))
	}
	return auth, verifier, nil
}

// exchange trades code for tokens at conf's token URL. The call goes
// through the netguard policy of PARLEY_ALLOW_PRIVATE_URLS, as webhooks
// do: a token URL on a loopback or private address (a
// PARLEY_OAUTH_<VENDOR>_TOKEN_URL) is refused unless that allows it.
func (h *handlers) exchange(ctx context.Context, conf *oauth2.Config, code, verifier string) (*oauth2.Token, error) {
	policy, err := netguard.PolicyFromEnv()
	if err != nil {
		return nil, err
	}
	return exchangeWith(ctx, policy, conf, code, verifier)
}

// exchangeWith is exchange through policy's client, which never follows a
// redirect. What policy refuses of the token URL itself (another scheme,
// an internal address in any spelling) is refused before any request.
func exchangeWith(ctx context.Context, policy netguard.Policy, conf *oauth2.Config, code, verifier string) (*oauth2.Token, error) {
	if _, err := policy.Precheck(conf.Endpoint.TokenURL); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, oauthTimeout)
	defer cancel()
	ctx = context.WithValue(ctx, oauth2.HTTPClient, policy.Client(oauthTimeout))
	return conf.Exchange(ctx, code, oauth2.VerifierOption(verifier))
}

// vendorFailed answers a failed exchange: 400 with the vendor's words
// when it refused the code, 502 when it could not be reached, is on an
// address the server refuses, redirected (never followed) or answered
// something else.
func (h *handlers) vendorFailed(c *gin.Context, vendor string, err error) {
	var re *oauth2.RetrieveError
	isRetrieve := errors.As(err, &re) && re.Response != nil
	if isRetrieve && re.Response.StatusCode >= 400 && re.Response.StatusCode < 500 {
		text := vendorText(re.ErrorCode, re.ErrorDescription)
		if re.ErrorCode == "" {
			text = vendorText(strings.TrimSpace(string(re.Body)), "")
		}
		fail(c, store.Errorf(store.EMALFORMED, "%s refused the authorization code: %s. Start again from the integration.", vendor, text))
		return
	}
	server.Logger(c).Warn("exchanging an OAuth code", "vendor", vendor, "error", err)
	switch {
	case errors.Is(err, netguard.ErrRefused):
		err = fmt.Errorf("its token endpoint is refused: %s", netguard.Reason(err))
	case isRetrieve && re.Response.StatusCode >= 300 && re.Response.StatusCode < 400:
		err = fmt.Errorf("its token endpoint answered %s, a redirect to %q, which Parley does not follow", re.Response.Status,
			re.Response.Header.Get("Location"))
	}
	fail(c, store.Errorf(store.EUNAVAILABLE, "Parley could not get tokens from %s: %v. Try again later.", vendor, err))
}

// vendorText is a vendor's error code and description, bounded: they
// come from outside.
func vendorText(code, description string) string {
	text := code
	if description != "" {
		text += " (" + description + ")"
	}
	if r := []rune(text); len(r) > 300 {
		text = string(r[:300]) + "…"
	}
	if text == "" {
		text = "no reason given"
	}
	return text
}

var connectedPage = template.Must(template.New("connected").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Integration connected</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}</style>
</head><body>
<h1>Integration connected</h1>
<p>Parley can now use the {{.Vendor}} account of the integration “{{.Name}}”. You can close this tab.</p>
</body></html>
`))

// openAuth is an integration's auth_data, opened.
func (h *handlers) openAuth(in *store.Integration) (map[string]any, error) {
	if h.Secrets == nil {
		return nil, store.Errorf(store.EINVALID, "This server cannot keep integration credentials: set %s and restart it.", secretbox.EnvKey)
	}
	plain, err := h.Secrets.Open(in.AuthData)
	if err != nil {
		return nil, err
	}
	auth := map[string]any{}
	return auth, json.Unmarshal([]byte(plain), &auth)
}
