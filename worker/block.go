package worker

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/parleyhq/parley/engine"
	"github.com/parleyhq/parley/internal/excerpt"
	"github.com/parleyhq/parley/metrics"
	"github.com/parleyhq/parley/netguard"
	"github.com/parleyhq/parley/store"
)

// BlockTokenLabel is the secretbox.Derive label of BlockTokenKey.
const BlockTokenLabel = "parley block tokens v1"

// maxBlockResponse bounds what a block service may answer.
const maxBlockResponse = 1 << 20

// CallBlock creates a one-time token for a block attempt and POSTs it with
// the dialog to the block's service. A connection error or a 5xx is
// returned for Temporal to retry; a 4xx, a redirect or a refused address
// is final (ErrBlockRejected). With Wait false the JSON response is the
// block's result.
func (a *Activities) CallBlock(ctx context.Context, in engine.BlockCall) (any, error) {
	if err := a.precheck(in.URL); err != nil {
		return nil, err
	}
	token, err := a.blockToken(in)
	if err != nil {
		return nil, err
	}
	rec := store.BlockToken{ProjectID: in.ProjectID, DialogID: in.DialogID, Node: in.Node, Attempt: in.Attempt, ExpiresAt: in.ExpiresAt}
	if _, err := a.Store.SaveBlockToken(ctx, token, rec); err != nil {
		return nil, fmt.Errorf("storing the block token: %w", err)
	}
	body, err := json.Marshal(blockRequest(in, token))
	if err != nil {
		return nil, rejected("encoding the request for %s: %v", in.URL, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, in.URL, bytes.NewReader(body))
	if err != nil {
		return nil, rejected("%s is not a valid URL: %v", in.URL, err)
	}
	for name, value := range in.Headers {
		req.Header.Set(name, value)
	}
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	result, err := a.post(in, req)
	a.Metrics.BlockCall(callOutcome(err), time.Since(start))
	return result, err
}

// post sends a block's request and reads its answer.
func (a *Activities) post(in engine.BlockCall, req *http.Request) (any, error) {
	resp, err := a.client(in.Timeout).Do(req)
	if errors.Is(err, netguard.ErrRefused) {
		return nil, refusedCall(in.URL, err)
	}
	if err != nil {
		return nil, fmt.Errorf("calling %s: %w", in.URL, err)
	}
	defer resp.Body.Close()
	return blockResult(in, resp)
}

// callOutcome is how a call of a block service or a model ended, for
// metrics: ok, rejected when it is not retried (a non-retryable error),
// or error.
func callOutcome(err error) string {
	var app *temporal.ApplicationError
	switch {
	case err == nil:
		return metrics.OutcomeOK
	case errors.As(err, &app) && app.NonRetryable():
		return metrics.OutcomeRejected
	}
	return metrics.OutcomeError
}

// blockRequest is the body: the node's payload plus what every block gets.
func blockRequest(in engine.BlockCall, token string) map[string]any {
	body := map[string]any{}
	for k, v := range in.Payload {
		body[k] = v
	}
	data := make([]map[string]any, len(in.Data))
	for i, d := range in.Data {
		data[i] = map[string]any{"question": d.Question, "type": d.Type, "answer": d.Answer, "variable": d.Variable}
	}
	body["token"] = token
	body["dialog"] = map[string]any{"id": in.DialogUUID, "number": in.Number, "bot": in.Bot}
	body["node"] = in.Node
	body["variables"] = in.Variables
	body["data"] = data
	return body
}

func blockResult(in engine.BlockCall, resp *http.Response) (any, error) {
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxBlockResponse))
	if err != nil {
		return nil, fmt.Errorf("reading the answer of %s: %w", in.URL, err)
	}
	if err := statusError(in.URL, resp, nil); err != nil {
		return nil, err
	}
	if in.Wait {
		return nil, nil
	}
	var result any
	if err := json.Unmarshal(raw, &result); err != nil {
		return nil, rejected("%s answered with something that is not JSON: %v", in.URL, err)
	}
	return result, nil
}

// statusError is nil for a 2xx answer; a 5xx is an error Temporal retries,
// anything else (4xx, a redirect) is final. detail, when given, is the
// answer's body, shown to help whoever reads the error.
func statusError(url string, resp *http.Response, detail []byte) error {
	suffix := ""
	if len(detail) > 0 {
		suffix = ": " + excerpt.Of(string(detail))
	}
	switch {
	case resp.StatusCode >= 500:
		return fmt.Errorf("%s answered %s%s", url, resp.Status, suffix)
	case resp.StatusCode >= 300 && resp.StatusCode < 400 && resp.Header.Get("Location") != "":
		// Never followed: the redirect could point anywhere, an
		// internal address too.
		return rejected("%s answered %s, a redirect to %q, which Parley does not follow: use the final URL", url, resp.Status,
			resp.Header.Get("Location"))
	case resp.StatusCode >= 300:
		return rejected("%s answered %s%s", url, resp.Status, suffix)
	}
	return nil
}

// precheck refuses, before anything is sent, a URL the policy refuses
// from the URL alone: another scheme than http(s), an internal address in
// any spelling, a localhost name. Names are checked when the call dials
// them. Conversation tests' Transport is not the network: it is not
// checked.
func (a *Activities) precheck(url string) error {
	if a.Transport != nil {
		return nil
	}
	if _, err := a.Policy.Precheck(url); err != nil {
		return refusedCall(url, err)
	}
	return nil
}

// refusedCall is the final error of a call the policy refused, worded
// for the dialog (a block's failure) and the model (a tool's).
func refusedCall(url string, err error) error {
	return rejected("the call to %s is refused: %s", url, netguard.Reason(err))
}

func rejected(format string, args ...any) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprintf(format, args...), engine.ErrBlockRejected, nil)
}

// blockToken is the token of one attempt of a block, 256 bits, URL-safe.
// With a BlockTokenKey it is an HMAC of the dialog, node and attempt, so
// every retry of the call (a 5xx, a worker killed mid-call) sends the
// service the same token: the service may take it as the idempotency key
// of the attempt, and whichever call it answers completes the block.
// Without a key it is random, and a retry sends a new one.
func (a *Activities) blockToken(in engine.BlockCall) (string, error) {
	if len(a.BlockTokenKey) > 0 {
		mac := hmac.New(sha256.New, a.BlockTokenKey)
		fmt.Fprintf(mac, "%s\x00%s\x00%d", in.DialogUUID, in.Node, in.Attempt)
		return base64.RawURLEncoding.EncodeToString(mac.Sum(nil)), nil
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func (a *Activities) client(timeout time.Duration) *http.Client {
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	if a.Transport != nil {
		return &http.Client{Transport: a.Transport, Timeout: timeout, CheckRedirect: noRedirects}
	}
	return a.Policy.Client(timeout)
}

func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
