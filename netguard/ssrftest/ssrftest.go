// Package ssrftest runs what the SSRF tests of each outbound path share:
// a loopback listener that counts the connections it accepts, a
// public-looking server that answers with redirects to internal URLs, the
// SSRF set pointed at both (netguard.HostileURLs) and the policy the paths
// are to be tested with: nothing internal allowed but the redirecting
// server, names resolved by netguard.HostileResolver, never by DNS.
package ssrftest

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/parleyhq/parley/netguard"
)

// Env is a running SSRF set.
type Env struct {
	// URLs is the set, pointed at this Env's listeners.
	URLs []netguard.HostileURL
	// Policy allows only netguard.PublicAddr (the redirecting server) and
	// resolves names with netguard.HostileResolver.
	Policy netguard.Policy

	conns     atomic.Int64 // accepted by the loopback listeners
	redirects atomic.Int64 // requests the redirecting server answered
}

// Start starts the listeners; they stop when t ends. It fails t when
// 127.0.0.1, [::1] or netguard.PublicAddr cannot be listened on: every
// spelling of loopback must have something to reach.
func Start(t testing.TB) *Env {
	t.Helper()
	e := &Env{Policy: netguard.Policy{
		Allow:    []netip.Prefix{netip.MustParsePrefix(netguard.PublicAddr + "/32")},
		Resolver: netguard.HostileResolver(),
	}}
	trap := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `{"reached": "an internal address"}`) // a request got through: answer, so nothing hangs
	})
	ln4 := e.listen(t, "tcp4", "127.0.0.1:0", true)
	port := portOf(ln4)
	serve(t, ln4, trap)
	// The same port on [::1] when it is free, so the set's URLs hold one port.
	ln6, err := net.Listen("tcp6", "[::1]:"+port)
	if err != nil {
		ln6 = e.listen(t, "tcp6", "[::1]:0", true)
	} else {
		ln6 = &counting{Listener: ln6, n: &e.conns}
	}
	serve(t, ln6, trap)
	lnR := e.listen(t, "tcp4", netguard.PublicAddr+":0", false)
	serve(t, lnR, http.HandlerFunc(e.redirect))
	e.URLs = netguard.HostileURLs(netguard.Targets{Port: port, Port6: portOf(ln6), RedirectPort: portOf(lnR)})
	return e
}

func (e *Env) listen(t testing.TB, network, addr string, count bool) net.Listener {
	t.Helper()
	ln, err := net.Listen(network, addr)
	if err != nil {
		t.Fatalf("the SSRF set needs a listener on %s: %v", addr, err)
	}
	if count {
		return &counting{Listener: ln, n: &e.conns}
	}
	return ln
}

func serve(t testing.TB, ln net.Listener, h http.Handler) {
	srv := &http.Server{Handler: h}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
}

func portOf(ln net.Listener) string { return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port) }

// redirect answers /301 ... /308 with that status and Location "to".
func (e *Env) redirect(w http.ResponseWriter, r *http.Request) {
	e.redirects.Add(1)
	code, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/"))
	if err != nil || code < 300 || code > 399 {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Location", r.URL.Query().Get("to"))
	w.WriteHeader(code)
}

// Conns is how many connections the loopback listeners accepted.
func (e *Env) Conns() int64 { return e.conns.Load() }

// Redirects is how many requests the redirecting server answered.
func (e *Env) Redirects() int64 { return e.redirects.Load() }

// Report ends a path's SSRF test: it fails t unless every URL tried was
// refused and the loopback listeners accepted no connection, and logs
// the figures on one line ("SSRF block: 94 of 94 refused, 0 connections").
func (e *Env) Report(t testing.TB, path string, refused, tried int) {
	t.Helper()
	conns := e.Conns()
	if tried < 50 {
		t.Errorf("SSRF %s: only %d URLs tried, want the whole set (%d)", path, tried, len(e.URLs))
	}
	if refused != tried {
		t.Errorf("SSRF %s: %d of %d URLs were not refused", path, tried-refused, tried)
	}
	if conns != 0 {
		t.Errorf("SSRF %s: the loopback listener accepted %d connections, want 0", path, conns)
	}
	t.Logf("SSRF %s: %d of %d refused, %d connections", path, refused, tried, conns)
}

// counting counts the connections a listener accepts.
type counting struct {
	net.Listener
	n *atomic.Int64
}

func (c *counting) Accept() (net.Conn, error) {
	conn, err := c.Listener.Accept()
	if err == nil {
		c.n.Add(1)
	}
	return conn, err
}
