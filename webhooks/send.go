package webhooks

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/parleyhq/parley/netguard"
)

// AttemptTimeout bounds one attempt, whatever the caller's client allows.
const AttemptTimeout = 15 * time.Second

// UserAgent is sent with every attempt.
const UserAgent = "Parley-Webhooks/1"

const (
	// maxResponse is how much of a response is read: enough for any
	// acknowledgement, little enough that a receiver cannot make us buffer
	// a large body.
	maxResponse = 64 << 10
	// maxRetryAfter caps Retry-After, so a wrong header cannot park a
	// delivery for months (or overflow a Duration).
	maxRetryAfter = 24 * time.Hour
)

// Sender makes delivery attempts. The zero value is ready to use.
type Sender struct {
	// Client makes the requests; nil means one with AttemptTimeout and no
	// outbound address policy. Pass a netguard client in production.
	// Redirects are never followed, whatever its CheckRedirect says.
	Client *http.Client
	// Now stamps each attempt; nil means time.Now.
	Now func() time.Time

	timeout time.Duration // 0 means AttemptTimeout; tests shorten it
}

// Attempt is one try of one delivery.
type Attempt struct {
	URL string
	// ID is the webhook-id: the same on every attempt of one delivery.
	ID   string
	Body []byte
	// Secrets are the endpoint's live secrets, newest first; each makes a
	// webhook-signature, and the first makes x-worken-signature.
	Secrets []string
}

// Result is what an attempt came to.
type Result struct {
	// Status is the response's status code, or 0 if none came.
	Status int
	// Err is the transport error or the non-2xx answer, with the status
	// and the start of the response body; nil when Delivered.
	Err error
	// RetryAfter is the Retry-After of a 429 or 503 (seconds or HTTP
	// date, capped at 24h); 0 if none.
	RetryAfter time.Duration
	// Gone is set on 410: the endpoint must be disabled at once.
	Gone bool
	// Delivered is set on 2xx.
	Delivered bool
}

// Send POSTs a.Body to a.URL once, signed for this attempt's timestamp.
func (s *Sender) Send(ctx context.Context, a Attempt) Result {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	ts := now()
	timeout := s.timeout
	if timeout == 0 {
		timeout = AttemptTimeout
	}
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := s.request(actx, a, ts)
	if err != nil {
		return Result{Err: err}
	}
	resp, err := s.client().Do(req)
	if err != nil {
		return Result{Err: transportError(ctx, actx, req.URL, err, timeout)}
	}
	defer resp.Body.Close()
	// Read (a bounded part of) the body so the connection can be reused
	// and an error can quote it.
	head, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	return result(resp, head, ts)
}

// request builds the signed POST. Its errors are the caller's (a bad URL or
// secret): retrying cannot fix them.
func (s *Sender) request(ctx context.Context, a Attempt, ts time.Time) (*http.Request, error) {
	if len(a.Secrets) == 0 {
		return nil, errors.New("signing webhook: the endpoint has no live secret")
	}
	keys := make([][]byte, len(a.Secrets))
	for i, secret := range a.Secrets {
		key, err := signingKey(secret)
		if err != nil {
			return nil, fmt.Errorf("signing webhook with secret %d of %d: %w", i+1, len(a.Secrets), err)
		}
		keys[i] = key
	}
	// What no policy allows (another scheme, an address in an unusual
	// spelling) is refused here; the client's policy checks addresses.
	if _, err := netguard.ParseURL(a.URL); err != nil {
		return nil, fmt.Errorf("sending webhook: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.URL, bytes.NewReader(a.Body))
	if err != nil {
		return nil, fmt.Errorf("building webhook request: %w", err)
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", UserAgent)
	h.Set(HeaderID, a.ID)
	h.Set(HeaderTimestamp, strconv.FormatInt(ts.Unix(), 10))
	h.Set(HeaderSignature, Sign(keys, a.ID, ts, a.Body))
	h.Set(HeaderWorken, WorkenSignature(a.Secrets[0], a.Body))
	return req, nil
}

// client returns a copy of the caller's client (or the default) that never
// follows redirects. Copying leaves the caller's client as it was and still
// shares its Transport, so connections are reused and its address policy
// (netguard checks at dial time) applies.
func (s *Sender) client() *http.Client {
	c := http.Client{Timeout: AttemptTimeout}
	if s.Client != nil {
		c = *s.Client
	}
	// Whatever the caller's CheckRedirect would allow: a signed delivery
	// goes only to the URL its owner registered, so a 3xx is the answer.
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// transportError words a failed request without the URL's query, which
// may hold a receiver's token, and keeps the cause for errors.Is. A timeout
// is the attempt's (actx) unless the caller's ctx ended first.
func transportError(ctx, actx context.Context, u *url.URL, err error, timeout time.Duration) error {
	where := u.Scheme + "://" + u.Host + u.Path
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	switch {
	case ctx.Err() == nil && actx.Err() != nil:
		return fmt.Errorf("sending webhook to %s: no response within %s: %w", where, timeout, err)
	case ue != nil && ue.Timeout():
		return fmt.Errorf("sending webhook to %s: timed out: %w", where, err)
	}
	return fmt.Errorf("sending webhook to %s: %w", where, err)
}
