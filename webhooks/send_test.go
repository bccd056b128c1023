package webhooks

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley/netguard"
)

// t0 is the clock of every test attempt.
var t0 = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

func fixedNow() time.Time { return t0 }

// received is a request as the receiver saw it.
type received struct {
	header http.Header
	body   []byte
}

// receiver starts a loopback server that records each request and answers
// with h (200 if nil).
func receiver(t *testing.T, h http.HandlerFunc) (*httptest.Server, chan received) {
	t.Helper()
	got := make(chan received, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- received{r.Header.Clone(), body}
		if h != nil {
			h(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

func hmacBase64(key []byte, msg string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(msg))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// verifyStandard checks a request as a Standard Webhooks receiver holding
// only secret would, recomputing the signature without this package.
func verifyStandard(t *testing.T, secret string, r received) {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatal(err)
	}
	msg := r.header.Get("webhook-id") + "." + r.header.Get("webhook-timestamp") + "." + string(r.body)
	want := "v1," + hmacBase64(key, msg)
	for _, sig := range strings.Split(r.header.Get("webhook-signature"), " ") {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return
		}
	}
	t.Errorf("no signature in %q verifies with secret %s", r.header.Get("webhook-signature"), secret)
}

// verifyWorken checks x-worken-signature as Worken's documentation does.
func verifyWorken(t *testing.T, secret string, r received) {
	t.Helper()
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(r.body)
	if want := hex.EncodeToString(mac.Sum(nil)); r.header.Get("x-worken-signature") != want {
		t.Errorf("x-worken-signature = %q, want %q (keyed with %s)", r.header.Get("x-worken-signature"), want, secret)
	}
}

func newSecret(t *testing.T) string {
	t.Helper()
	s, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSendSignedForReceiver(t *testing.T) {
	srv, got := receiver(t, nil)
	newest, older := newSecret(t), newSecret(t)
	body := []byte(`{"id":"evt_1","type":"ping","created_at":"2025-03-04T05:06:07Z","data":{}}`)
	s := &Sender{Now: fixedNow}
	res := s.Send(t.Context(), Attempt{URL: srv.URL + "/hook?token=x", ID: "evt_1", Body: body, Secrets: []string{newest, older}})
	if !res.Delivered || res.Err != nil || res.Status != 200 {
		t.Fatalf("Send = %+v, want delivered with 200", res)
	}
	r := <-got
	if !bytes.Equal(r.body, body) {
		t.Errorf("body = %s, want %s", r.body, body)
	}
	for name, want := range map[string]string{
		"content-type":      "application/json",
		"user-agent":        "Parley-Webhooks/1",
		"webhook-id":        "evt_1",
		"webhook-timestamp": strconv.FormatInt(t0.Unix(), 10),
	} {
		if v := r.header.Get(name); v != want {
			t.Errorf("%s = %q, want %q", name, v, want)
		}
	}
	if n := len(strings.Fields(r.header.Get("webhook-signature"))); n != 2 {
		t.Errorf("webhook-signature has %d signatures, want one per secret (2)", n)
	}
	verifyStandard(t, newest, r)
	verifyStandard(t, older, r)
	verifyWorken(t, newest, r)
}

// Each attempt is signed for its own timestamp, under the same webhook-id.
func TestSendSignsEachAttempt(t *testing.T) {
	srv, got := receiver(t, nil)
	secret := newSecret(t)
	a := Attempt{URL: srv.URL, ID: "evt_2", Body: []byte(`{}`), Secrets: []string{secret}}
	(&Sender{Now: fixedNow}).Send(t.Context(), a)
	later := func() time.Time { return t0.Add(5 * time.Minute) }
	(&Sender{Now: later}).Send(t.Context(), a)
	first, second := <-got, <-got
	if first.header.Get("webhook-id") != "evt_2" || second.header.Get("webhook-id") != "evt_2" {
		t.Errorf("webhook-ids = %q, %q; want evt_2 on both", first.header.Get("webhook-id"), second.header.Get("webhook-id"))
	}
	if ts := second.header.Get("webhook-timestamp"); ts != strconv.FormatInt(later().Unix(), 10) {
		t.Errorf("second attempt's timestamp = %s, want %d", ts, later().Unix())
	}
	if first.header.Get("webhook-signature") == second.header.Get("webhook-signature") {
		t.Error("both attempts carry the same signature, want one per timestamp")
	}
	verifyStandard(t, secret, second)
}

// A Worken client's own secret need not be whsec_: its bytes are the key.
func TestSendRawSecret(t *testing.T) {
	srv, got := receiver(t, nil)
	const secret = "my-worken-secret"
	res := (&Sender{Now: fixedNow}).Send(t.Context(), Attempt{URL: srv.URL, ID: "evt_3", Body: []byte(`{}`), Secrets: []string{secret}})
	if !res.Delivered {
		t.Fatalf("Send = %+v, want delivered", res)
	}
	r := <-got
	verifyWorken(t, secret, r)
	want := "v1," + hmacBase64([]byte(secret), "evt_3."+strconv.FormatInt(t0.Unix(), 10)+".{}")
	if sig := r.header.Get("webhook-signature"); sig != want {
		t.Errorf("webhook-signature = %q, want %q", sig, want)
	}
}

func TestSendBadSecrets(t *testing.T) {
	srv, got := receiver(t, nil)
	for name, tc := range map[string]struct {
		secrets []string
		want    string
	}{
		"none":         {nil, "no live secret"},
		"bad base64":   {[]string{newSecret(t), "whsec_!!"}, "secret 2 of 2"},
		"empty secret": {[]string{""}, "secret 1 of 1: webhook secret is empty"},
	} {
		t.Run(name, func(t *testing.T) {
			res := (&Sender{}).Send(t.Context(), Attempt{URL: srv.URL, ID: "evt_4", Body: []byte(`{}`), Secrets: tc.secrets})
			if res.Delivered || res.Err == nil || !strings.Contains(res.Err.Error(), tc.want) {
				t.Errorf("Send = %+v, want an error saying %q", res, tc.want)
			}
		})
	}
	if n := len(got); n != 0 {
		t.Errorf("receiver got %d requests, want none", n)
	}
}

func TestSendRetryAfter(t *testing.T) {
	for name, tc := range map[string]struct {
		status     int
		retryAfter string
		want       time.Duration
	}{
		"429 seconds":         {429, "120", 2 * time.Minute},
		"503 seconds":         {503, " 7 ", 7 * time.Second},
		"429 http date":       {429, t0.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		"503 http date":       {503, t0.Add(time.Hour).Format(http.TimeFormat), time.Hour},
		"503 past date":       {503, t0.Add(-time.Hour).Format(http.TimeFormat), 0},
		"429 none":            {429, "", 0},
		"429 garbage":         {429, "soon", 0},
		"429 negative":        {429, "-5", 0},
		"429 huge":            {429, "99999999999999999999", 24 * time.Hour},
		"500 ignores header":  {500, "120", 0},
		"503 zero":            {503, "0", 0},
		"429 capped at a day": {429, strconv.Itoa(3 * 24 * 3600), 24 * time.Hour},
	} {
		t.Run(name, func(t *testing.T) {
			srv, _ := receiver(t, func(w http.ResponseWriter, _ *http.Request) {
				if tc.retryAfter != "" {
					w.Header().Set("Retry-After", tc.retryAfter)
				}
				w.WriteHeader(tc.status)
			})
			res := (&Sender{Now: fixedNow}).Send(t.Context(), Attempt{URL: srv.URL, ID: "evt_5", Body: []byte(`{}`), Secrets: []string{newSecret(t)}})
			if res.RetryAfter != tc.want || res.Status != tc.status || res.Delivered || res.Err == nil {
				t.Errorf("Send = %+v, want status %d, an error and RetryAfter %v", res, tc.status, tc.want)
			}
		})
	}
}

func TestSendGone(t *testing.T) {
	srv, _ := receiver(t, func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "no such hook", http.StatusGone)
	})
	res := (&Sender{}).Send(t.Context(), Attempt{URL: srv.URL, ID: "evt_6", Body: []byte(`{}`), Secrets: []string{newSecret(t)}})
	if !res.Gone || res.Delivered || res.Status != 410 || res.Err == nil {
		t.Errorf("Send = %+v, want Gone with status 410 and an error", res)
	}
	for _, other := range []int{200, 404, 500} {
		srv, _ := receiver(t, func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(other) })
		if res := (&Sender{}).Send(t.Context(), Attempt{URL: srv.URL, ID: "evt_6", Body: []byte(`{}`), Secrets: []string{newSecret(t)}}); res.Gone {
			t.Errorf("status %d: Gone is set", other)
		}
	}
}

func TestSendServerError(t *testing.T) {
	long := strings.Repeat("x", 190) + "0123456789" + "TAIL"
	srv, _ := receiver(t, func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(500)
		io.WriteString(w, "  "+long[:100]+"\n"+long[100:])
	})
	res := (&Sender{}).Send(t.Context(), Attempt{URL: srv.URL, ID: "evt_7", Body: []byte(`{}`), Secrets: []string{newSecret(t)}})
	if res.Err == nil || res.Delivered || res.Status != 500 {
		t.Fatalf("Send = %+v, want status 500 and an error", res)
	}
	msg := res.Err.Error()
	// The snippet is the body on one line, cut at 200 characters: 100 of
	// long, the line break as a space and 99 more.
	want := "endpoint answered 500 Internal Server Error: " + long[:100] + " " + long[100:199] + "…"
	if msg != want {
		t.Errorf("Err = %q\nwant %q", msg, want)
	}
}

// countingBody records how much of a response was read and whether it
// was closed.
type countingBody struct {
	io.ReadCloser
	read   int
	closed bool
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.read += n
	return n, err
}

func (b *countingBody) Close() error {
	b.closed = true
	return b.ReadCloser.Close()
}

// countingTransport hands out the last response's body for inspection.
type countingTransport struct{ body *countingBody }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		c.body = &countingBody{ReadCloser: resp.Body}
		resp.Body = c.body
	}
	return resp, err
}

func TestSendReadsAtMost64KiB(t *testing.T) {
	for _, status := range []int{200, 500} {
		srv, _ := receiver(t, func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(status)
			w.Write(make([]byte, 1<<20))
		})
		tr := &countingTransport{}
		s := &Sender{Client: &http.Client{Transport: tr}}
		res := s.Send(t.Context(), Attempt{URL: srv.URL, ID: "evt_8", Body: []byte(`{}`), Secrets: []string{newSecret(t)}})
		if res.Status != status || tr.body == nil {
			t.Fatalf("Send = %+v, want status %d", res, status)
		}
		if tr.body.read > 64<<10 || !tr.body.closed {
			t.Errorf("status %d: read %d bytes of the response (closed: %v), want at most 65536 and closed", status, tr.body.read, tr.body.closed)
		}
	}
}

func TestSendRedirectNotFollowed(t *testing.T) {
	var followed atomic.Int32
	target, _ := receiver(t, func(http.ResponseWriter, *http.Request) { followed.Add(1) })
	srv, _ := receiver(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/final", http.StatusTemporaryRedirect)
	})
	allowLoopback := netguard.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	follows := &http.Client{} // nil CheckRedirect: follows up to 10
	for name, client := range map[string]*http.Client{
		"default client":  nil,
		"following":       follows,
		"netguard client": allowLoopback.Client(5 * time.Second),
	} {
		t.Run(name, func(t *testing.T) {
			res := (&Sender{Client: client}).Send(t.Context(), Attempt{URL: srv.URL, ID: "evt_9", Body: []byte(`{}`), Secrets: []string{newSecret(t)}})
			if res.Delivered || res.Status != 307 || res.Err == nil {
				t.Fatalf("Send = %+v, want a failed attempt with status 307", res)
			}
			for _, want := range []string{"307", target.URL + "/final", "not followed"} {
				if !strings.Contains(res.Err.Error(), want) {
					t.Errorf("Err = %q, want it to mention %q", res.Err, want)
				}
			}
		})
	}
	if n := followed.Load(); n != 0 {
		t.Errorf("the redirect target got %d requests, want 0", n)
	}
	if follows.CheckRedirect != nil {
		t.Error("Send changed the caller's client")
	}
}

func TestSendTimeout(t *testing.T) {
	srv, _ := receiver(t, func(w http.ResponseWriter, r *http.Request) {
		// Answer only if the client is still waiting after 10s.
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	})
	for name, tc := range map[string]struct {
		client *http.Client
		want   string
	}{
		// The attempt's own limit applies though this client has none.
		"client without timeout": {&http.Client{}, "no response within 100ms"},
		"client timeout":         {&http.Client{Timeout: 50 * time.Millisecond}, "timed out"},
	} {
		t.Run(name, func(t *testing.T) {
			s := &Sender{Client: tc.client, timeout: 100 * time.Millisecond}
			res := s.Send(t.Context(), Attempt{URL: srv.URL, ID: "evt_10", Body: []byte(`{}`), Secrets: []string{newSecret(t)}})
			if res.Err == nil || res.Delivered || res.Status != 0 || !strings.Contains(res.Err.Error(), tc.want) {
				t.Errorf("Send = %+v, want no status and an error saying %q", res, tc.want)
			}
		})
	}
}

func TestSendNetguard(t *testing.T) {
	srv, got := receiver(t, nil)
	a := Attempt{URL: srv.URL + "/hook?token=secret-token", ID: "evt_11", Body: []byte(`{}`), Secrets: []string{newSecret(t)}}

	refused := (&Sender{Client: netguard.Policy{}.Client(5 * time.Second)}).Send(t.Context(), a)
	if refused.Delivered || !errors.Is(refused.Err, netguard.ErrRefused) || !strings.Contains(refused.Err.Error(), "loopback") {
		t.Errorf("default policy: Send = %+v, want ErrRefused naming loopback", refused)
	}
	if refused.Err != nil && strings.Contains(refused.Err.Error(), "secret-token") {
		t.Errorf("Err = %q shows the URL's query", refused.Err)
	}
	if n := len(got); n != 0 {
		t.Errorf("receiver got %d requests through the default policy, want 0", n)
	}

	allow := netguard.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	if res := (&Sender{Client: allow.Client(5 * time.Second)}).Send(t.Context(), a); !res.Delivered {
		t.Errorf("loopback allowed: Send = %+v, want delivered", res)
	}
}
