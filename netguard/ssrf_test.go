package netguard_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parleyhq/parley/netguard"
	"github.com/parleyhq/parley/netguard/ssrftest"
)

// clearReasons are the words each kind of refusal says what is wrong with.
var clearReasons = []string{
	" address; to allow it set " + netguard.EnvAllow, // an internal address, and how to allow it
	"written in a form resolvers read differently",   // 127.1, 2130706433, ...
	"looks like an IP address but is not one",
	"only http and https URLs are allowed",
	"has no scheme",
	"has no host",
	"not a valid URL: ",
	"is not a valid host name",
}

// saysWhy reports whether msg says why a URL was refused.
func saysWhy(msg string) bool {
	for _, r := range clearReasons {
		if strings.Contains(msg, r) {
			return true
		}
	}
	return false
}

// TestSSRFCheckURL: the check of a URL when it is configured refuses every
// URL of the set that can be told from the URL and what its name resolves
// to now, with a reason. A redirect is the answer of a public server: the
// URL passes, and the call must not follow it (TestSSRFClient and each
// path's test).
func TestSSRFCheckURL(t *testing.T) {
	e := ssrftest.Start(t)
	refused, tried := 0, 0
	for _, h := range e.URLs {
		err := e.Policy.CheckURL(t.Context(), h.URL)
		if h.Redirect {
			if err != nil {
				t.Errorf("%s (%s): %v, want it to pass: the URL is public, its answer is not", h.URL, h.What, err)
			}
			continue
		}
		tried++
		switch {
		case err == nil:
			t.Errorf("%s (%s): passed, want it refused", h.URL, h.What)
		case !errors.Is(err, netguard.ErrRefused) || !saysWhy(err.Error()):
			t.Errorf("%s (%s): %v, want ErrRefused with a reason", h.URL, h.What, err)
		default:
			refused++
		}
	}
	e.Report(t, "CheckURL (configuration time; redirects are refused when called)", refused, tried)
}

// TestSSRFClient: the guarded client, given every URL of the set, reaches
// nothing internal: each request fails with ErrRefused (Go's own "unsupported
// protocol scheme" for another scheme and "no Host" for none: the client
// speaks only HTTP; the callers Precheck first, which words it), or is a
// redirect that is answered and not followed.
func TestSSRFClient(t *testing.T) {
	e := ssrftest.Start(t)
	client := e.Policy.Client(3 * time.Second)
	refused, redirects := 0, 0
	for _, h := range e.URLs {
		start := time.Now()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, h.URL, bytes.NewReader([]byte(`{}`)))
		if err != nil {
			refused++ // not even a request
			continue
		}
		resp, err := client.Do(req)
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s (%s): took %v: a refusal must not wait on the network", h.URL, h.What, d)
		}
		switch {
		case err != nil && (errors.Is(err, netguard.ErrRefused) || strings.Contains(err.Error(), "unsupported protocol scheme") ||
			strings.Contains(err.Error(), "no Host in request URL")):
			refused++
		case err != nil:
			t.Errorf("%s (%s): %v, want ErrRefused", h.URL, h.What, err)
		case h.Redirect && resp.StatusCode >= 300 && resp.StatusCode < 400:
			refused++ // answered, not followed: the callers refuse a 3xx
			redirects++
			resp.Body.Close()
		default:
			resp.Body.Close()
			t.Errorf("%s (%s): %s, want a refusal", h.URL, h.What, resp.Status)
		}
	}
	if got := e.Redirects(); got != int64(redirects) {
		t.Errorf("the redirecting server answered %d requests, want %d (one per redirect URL: none followed)", got, redirects)
	}
	e.Report(t, "netguard client", refused, len(e.URLs))
}

// TestSSRFPrecheck: what callers check before a call, without DNS, refuses
// every URL of the set whose URL alone says it is internal, and passes
// only names (which the dial checks) and redirects.
func TestSSRFPrecheck(t *testing.T) {
	e := ssrftest.Start(t)
	refused, tried := 0, 0
	for _, h := range e.URLs {
		_, err := e.Policy.Precheck(h.URL)
		if err == nil {
			if h.Redirect || strings.Contains(h.URL, ".test") || strings.Contains(h.URL, ".internal") || strings.Contains(h.URL, ".nip.io") {
				continue // names are looked up when the call dials
			}
			t.Errorf("%s (%s): passed Precheck", h.URL, h.What)
		}
		tried++
		if err != nil && errors.Is(err, netguard.ErrRefused) && saysWhy(err.Error()) {
			refused++
		} else if err != nil {
			t.Errorf("%s (%s): %v, want ErrRefused with a reason", h.URL, h.What, err)
		}
	}
	e.Report(t, "Precheck (no DNS; names are checked when dialled)", refused, tried)
}

// rebinding answers public first and internal after: the name passes
// CheckURL and must still be refused when the call dials.
type rebinding struct{ calls atomic.Int32 }

func (r *rebinding) LookupNetIP(context.Context, string, string) ([]netip.Addr, error) {
	if r.calls.Add(1) == 1 {
		return []netip.Addr{netip.MustParseAddr("203.0.113.7")}, nil // TEST-NET-3: never dialled here
	}
	return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
}

func TestSSRFDNSRebinding(t *testing.T) {
	e := ssrftest.Start(t)
	var port string
	for _, h := range e.URLs {
		if h.What == "loopback" {
			port = h.URL[strings.LastIndex(h.URL, ":")+1 : len(h.URL)-1]
		}
	}
	p := netguard.Policy{Resolver: &rebinding{}}
	url := "http://rebind.test:" + port + "/"
	if err := p.CheckURL(t.Context(), url); err != nil {
		t.Fatalf("CheckURL when the name was public: %v", err)
	}
	resp, err := p.Client(3 * time.Second).Get(url)
	refused := 0
	if err == nil {
		resp.Body.Close()
		t.Errorf("GET after the name moved to loopback: %s, want a refusal", resp.Status)
	} else if !errors.Is(err, netguard.ErrRefused) || !strings.Contains(err.Error(), "127.0.0.1 is a loopback address") {
		t.Errorf("GET after the name moved to loopback: %v, want ErrRefused naming 127.0.0.1", err)
	} else {
		refused++
	}
	if e.Conns() != 0 {
		t.Errorf("the listener accepted %d connections", e.Conns())
	}
	t.Logf("SSRF DNS rebinding: %d of %d refused, %d connections", refused, 1, e.Conns())
}

// TestSSRFListenerCounts proves the other tests' 0 connections mean
// something: allowed, a loopback URL of the set reaches the listener, on
// 127.0.0.1 and on [::1].
func TestSSRFListenerCounts(t *testing.T) {
	e := ssrftest.Start(t)
	allowed := netguard.Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}}
	n := 0
	for _, h := range e.URLs {
		if h.What != "loopback" && h.What != "IPv6 loopback" {
			continue
		}
		n++
		resp, err := allowed.Client(3 * time.Second).Get(h.URL)
		if err != nil {
			t.Fatalf("%s allowed: %v", h.URL, err)
		}
		resp.Body.Close()
	}
	if n != 2 || e.Conns() != 2 {
		t.Errorf("%d allowed calls made %d connections, want 2 and 2", n, e.Conns())
	}
}
