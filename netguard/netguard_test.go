package netguard

import (
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// server starts a loopback test server (on ln if given) that counts hits, so
// refusal tests can prove nothing reached it.
func server(t *testing.T, ln net.Listener, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		h(w, r)
	}))
	if ln != nil {
		srv.Listener.Close()
		srv.Listener = ln
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &hits
}

func ok(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }

func port(t *testing.T, srv *httptest.Server) string {
	_, p, err := net.SplitHostPort(srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// mustRefuse asserts that GET url fails quickly with ErrRefused.
func mustRefuse(t *testing.T, url string) {
	t.Helper()
	start := time.Now()
	resp, err := Policy{}.Client(3 * time.Second).Get(url)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("GET %s: got %s, want refusal", url, resp.Status)
	}
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("GET %s: err = %v, want ErrRefused", url, err)
	}
	if !strings.Contains(err.Error(), "set PARLEY_ALLOW_PRIVATE_URLS") {
		t.Errorf("error does not say how to allow: %v", err)
	}
	// A refusal is decided before connect(), so it must not wait on any
	// network timeout.
	if d := time.Since(start); d > time.Second {
		t.Errorf("GET %s: refusal took %v", url, d)
	}
}

func TestRefusesLoopback(t *testing.T) {
	srv, hits := server(t, nil, ok)
	p := port(t, srv)
	for _, host := range []string{
		"127.0.0.1",
		"0.0.0.0", // Linux delivers this to the local host
		"[::ffff:127.0.0.1]",
		"localhost", // DNS name: checked after resolution
	} {
		t.Run(host, func(t *testing.T) { mustRefuse(t, "http://"+host+":"+p+"/") })
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("server got %d requests, want 0", n)
	}
}

func TestRefusesIPv6Loopback(t *testing.T) {
	ln, err := net.Listen("tcp6", "[::1]:0")
	if err != nil {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	srv, hits := server(t, ln, ok)
	mustRefuse(t, srv.URL)
	if n := hits.Load(); n != 0 {
		t.Errorf("server got %d requests, want 0", n)
	}
}

// These addresses are not loopback: the guard must refuse them before any
// packet is sent (no network here, and such traffic is flagged).
func TestRefusesInternalWithoutConnecting(t *testing.T) {
	for _, url := range []string{
		"http://169.254.169.254/latest/meta-data/",
		"http://10.0.0.1/",
	} {
		t.Run(url, func(t *testing.T) { mustRefuse(t, url) })
	}
}

func TestAllowedLoopback(t *testing.T) {
	srv, _ := server(t, nil, ok)
	ap := netip.MustParseAddrPort(srv.Listener.Addr().String())
	c := Policy{Allow: []netip.Prefix{netip.PrefixFrom(ap.Addr(), 32)}}.Client(3 * time.Second)
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(body) != "ok" {
		t.Fatalf("got %s %q, want 200 \"ok\"", resp.Status, body)
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	target, targetHits := server(t, nil, ok)
	src, _ := server(t, nil, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/next", http.StatusFound)
	})
	// Both servers are allowed, so only the no-redirect rule stops the hop.
	allow, err := ParseAllow("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := Policy{Allow: allow}.Client(3 * time.Second).Get(src.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Errorf("status = %s, want 302", resp.Status)
	}
	if got := resp.Header.Get("Location"); got != target.URL+"/next" {
		t.Errorf("Location = %q", got)
	}
	if n := targetHits.Load(); n != 0 {
		t.Errorf("redirect target got %d requests, want 0", n)
	}
}

// Check alone, no traffic: covers every refused range and its edges.
func TestCheck(t *testing.T) {
	refused := []string{
		"127.0.0.1", "127.255.255.254", "::1",
		"169.254.169.254", "fe80::1", "fe80::1%eth0",
		"10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "fc00::1", "fd12::1",
		"0.0.0.0", "0.1.2.3", "::",
		"100.64.0.1", "100.127.255.255",
		"224.0.0.1", "239.255.255.250", "ff02::1",
		"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:0.0.0.0",
		"198.18.0.1", "198.19.255.255", "240.0.0.1", "255.255.255.255", "168.63.129.16",
		"::127.0.0.1", "::a00:1", "fec0::1", "2001::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2",
		"64:ff9b::127.0.0.1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::10.0.0.1", "2002:7f00:1::", "2002:a9fe:a9fe::1",
	}
	for _, s := range refused {
		if err := (Policy{}).Check(netip.MustParseAddr(s)); !errors.Is(err, ErrRefused) {
			t.Errorf("Check(%s) = %v, want ErrRefused", s, err)
		}
	}
	public := []string{"8.8.8.8", "172.32.0.1", "100.128.0.1", "192.169.0.1", "2001:4860:4860::8888", "::ffff:8.8.8.8",
		"198.20.0.1", "168.63.129.17", "64:ff9b::8.8.8.8", "2002:808:808::1", "2001:1::1"}
	for _, s := range public {
		if err := (Policy{}).Check(netip.MustParseAddr(s)); err != nil {
			t.Errorf("Check(%s) = %v, want nil", s, err)
		}
	}

	allow, _ := ParseAllow("127.0.0.1 10.0.0.0/8 ::ffff:192.168.0.0/112")
	p := Policy{Allow: allow}
	for _, s := range []string{"127.0.0.1", "::ffff:127.0.0.1", "10.9.8.7", "192.168.3.4"} {
		if err := p.Check(netip.MustParseAddr(s)); err != nil {
			t.Errorf("allowed Check(%s) = %v", s, err)
		}
	}
	if err := p.Check(netip.MustParseAddr("127.0.0.2")); !errors.Is(err, ErrRefused) {
		t.Errorf("Check(127.0.0.2) = %v, want ErrRefused (bare IP allows one address)", err)
	}

	const want = "netguard: address refused: 169.254.169.254 is a link-local address; " +
		"to allow it set PARLEY_ALLOW_PRIVATE_URLS (e.g. PARLEY_ALLOW_PRIVATE_URLS=169.254.169.254)"
	if err := (Policy{}).Check(netip.MustParseAddr("169.254.169.254")); err == nil || err.Error() != want {
		t.Errorf("message = %v\nwant      %s", err, want)
	}
}

func TestParseAllow(t *testing.T) {
	good := map[string][]netip.Prefix{
		"":    nil,
		" , ": nil,
		"127.0.0.1, ::1/128, 10.0.0.0/8": {
			netip.MustParsePrefix("127.0.0.1/32"),
			netip.MustParsePrefix("::1/128"),
			netip.MustParsePrefix("10.0.0.0/8"),
		},
		"::1 192.168.1.7/16\t172.16.0.0/12": {
			netip.MustParsePrefix("::1/128"),
			netip.MustParsePrefix("192.168.0.0/16"), // host bits masked off
			netip.MustParsePrefix("172.16.0.0/12"),
		},
		"::ffff:127.0.0.1,::ffff:10.0.0.0/104": {
			netip.MustParsePrefix("127.0.0.1/32"), // unmapped to match Check
			netip.MustParsePrefix("10.0.0.0/8"),
		},
	}
	for in, want := range good {
		got, err := ParseAllow(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseAllow(%q) = %v, %v; want %v", in, got, err, want)
		}
	}

	bad := map[string]string{
		"127.0.0.1, localhost": `netguard: bad allow entry "localhost": want an IP or CIDR such as 127.0.0.1 or 10.0.0.0/8`,
		"10.0.0.0/33":          `netguard: bad allow entry "10.0.0.0/33": want an IP or CIDR such as 127.0.0.1 or 10.0.0.0/8`,
		"256.0.0.1":            `netguard: bad allow entry "256.0.0.1": want an IP or CIDR such as 127.0.0.1 or 10.0.0.0/8`,
		"10.0.0.0/":            `netguard: bad allow entry "10.0.0.0/": want an IP or CIDR such as 127.0.0.1 or 10.0.0.0/8`,
	}
	for in, want := range bad {
		got, err := ParseAllow(in)
		if err == nil || err.Error() != want {
			t.Errorf("ParseAllow(%q) = %v, %v\nwant error %s", in, got, err, want)
		}
	}
}

func TestPolicyFromEnv(t *testing.T) {
	t.Setenv("PARLEY_ALLOW_PRIVATE_URLS", "127.0.0.1")
	p, err := PolicyFromEnv()
	if err != nil || len(p.Allow) != 1 || p.Allow[0] != netip.MustParsePrefix("127.0.0.1/32") {
		t.Fatalf("PolicyFromEnv() = %v, %v", p, err)
	}
	t.Setenv("PARLEY_ALLOW_PRIVATE_URLS", "nope")
	const want = `PARLEY_ALLOW_PRIVATE_URLS: netguard: bad allow entry "nope": want an IP or CIDR such as 127.0.0.1 or 10.0.0.0/8`
	if _, err := PolicyFromEnv(); err == nil || err.Error() != want {
		t.Fatalf("PolicyFromEnv() error = %v, want %s", err, want)
	}
}

func TestParseLooseIPv4(t *testing.T) {
	good := map[string]string{
		"127.1": "127.0.0.1", "127.0.1": "127.0.0.1", "2130706433": "127.0.0.1", "0x7f000001": "127.0.0.1",
		"0X7F000001": "127.0.0.1", "017700000001": "127.0.0.1", "0177.0.0.01": "127.0.0.1", "0x7f.0x0.0x0.0x1": "127.0.0.1",
		"127.000.000.001": "127.0.0.1", "127.0.0.1.": "127.0.0.1", "0": "0.0.0.0", "0x": "0.0.0.0",
		"169.254.43518": "169.254.169.254", "0xa9fea9fe": "169.254.169.254", "4294967295": "255.255.255.255",
	}
	for in, want := range good {
		if got, ok := parseLooseIPv4(in); !ok || got.String() != want {
			t.Errorf("parseLooseIPv4(%q) = %v, %v; want %s", in, got, ok, want)
		}
	}
	for _, in := range []string{"256.0.0.1", "1.2.3.4.5", "4294967296", "1.16777216", "1.2.65536", "08.0.0.1", "0x1g", ""} {
		if got, ok := parseLooseIPv4(in); ok {
			t.Errorf("parseLooseIPv4(%q) = %v, want no address", in, got)
		}
	}
}

// A URL on an address the policy allows passes CheckURL, as loopback
// services do in tests and PARLEY_ALLOW_PRIVATE_URLS makes them in dev;
// an unusual spelling of it does not.
func TestCheckURLAllowed(t *testing.T) {
	p := Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")},
		Resolver: StaticResolver{"svc.test": {netip.MustParseAddr("127.0.0.1")}, "public.test": {netip.MustParseAddr("8.8.8.8")}}}
	for _, u := range []string{
		"http://127.0.0.1:8080/hook", "https://[::1]/", "http://localhost:3000/", "http://svc.test/",
		"https://public.test/hook", "https://unknown.test/", // not found now: the dial decides
		"http://user:pass@127.0.0.1/", "https://bücher.example/", "https://under_score.example/",
	} {
		if err := p.CheckURL(t.Context(), u); err != nil {
			t.Errorf("CheckURL(%s) = %v, want nil", u, err)
		}
	}
	for _, u := range []string{"http://127.1/", "http://2130706433/", "http://[::1]x/", "http://a b/"} {
		if err := p.CheckURL(t.Context(), u); !errors.Is(err, ErrRefused) {
			t.Errorf("CheckURL(%s) = %v, want ErrRefused", u, err)
		}
	}
	// localhost is 127.0.0.1 and ::1: either allowed is enough, as the
	// dial tries both; neither is refused.
	only4 := Policy{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}
	only6 := Policy{Allow: []netip.Prefix{netip.MustParsePrefix("::1/128")}}
	for _, p := range []Policy{only4, only6} {
		if err := p.CheckURL(t.Context(), "http://localhost/"); err != nil {
			t.Errorf("CheckURL(localhost) allowing %v = %v", p.Allow, err)
		}
	}
	const want = "netguard: address refused: localhost is 127.0.0.1, a loopback address; to allow it set PARLEY_ALLOW_PRIVATE_URLS (e.g. PARLEY_ALLOW_PRIVATE_URLS=127.0.0.1)"
	if err := (Policy{}).CheckURL(t.Context(), "http://localhost/"); err == nil || err.Error() != want {
		t.Errorf("CheckURL(localhost) = %v\nwant %s", err, want)
	}
	if got := Reason(only4.CheckURL(t.Context(), "file:///etc/passwd")); got != "only http and https URLs are allowed, not file:" {
		t.Errorf("Reason = %q", got)
	}
}
