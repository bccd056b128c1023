// Package netguard provides an HTTP client for calls to user-configured URLs
// (custom block services, url tools, webhooks) that refuses to reach
// internal addresses, so a bot author cannot use Parley to probe the host,
// its network or the cloud metadata service (SSRF), and the checks that
// refuse such URLs when they are configured (CheckURL) or called
// (Precheck). The client's dial-time check is the real guard: it sees the
// addresses a name resolves to when it is called, so DNS rebinding cannot
// get past it.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"
	"unicode"
)

// EnvAllow names the environment variable read by PolicyFromEnv.
const EnvAllow = "PARLEY_ALLOW_PRIVATE_URLS"

// ErrRefused is wrapped by errors for refused addresses and URLs; errors.Is
// works on what client.Do, Check, Precheck and CheckURL return.
var ErrRefused = errors.New("netguard: address refused")

// RefusedError is a refused address or URL. It wraps ErrRefused.
type RefusedError struct {
	// Reason says what is refused and why, and how to allow it when an
	// operator can: "127.0.0.1 is a loopback address; to allow it set
	// PARLEY_ALLOW_PRIVATE_URLS (e.g. PARLEY_ALLOW_PRIVATE_URLS=127.0.0.1)".
	Reason string
}

func (e *RefusedError) Error() string { return ErrRefused.Error() + ": " + e.Reason }
func (e *RefusedError) Unwrap() error { return ErrRefused }

func refused(format string, args ...any) error {
	return &RefusedError{Reason: fmt.Sprintf(format, args...)}
}

// Reason is the reason of the refusal in err's chain, without the
// wrapping (a URL, "dial tcp ..."), for messages a user reads; err's own
// text when it holds no refusal.
func Reason(err error) string {
	var r *RefusedError
	if errors.As(err, &r) {
		return r.Reason
	}
	return err.Error()
}

// Resolver looks up a name's addresses; *net.Resolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Policy says which addresses outbound calls may reach.
type Policy struct {
	// Allow lists networks that are allowed even though they are
	// loopback, link-local, private or unspecified (tests put their
	// loopback services here). IPv4 networks must be written in IPv4 form:
	// Check unmaps ::ffff:a.b.c.d before matching.
	Allow []netip.Prefix
	// Resolver looks names up for CheckURL and for the Client's dials;
	// nil means the system's (net.DefaultResolver). Tests put a
	// StaticResolver here, so names resolve to internal addresses
	// without DNS.
	Resolver Resolver
}

// blocked lists the internal ranges that netip.Addr has no predicate for.
var blocked = []struct {
	prefix netip.Prefix
	reason string
}{
	// "This network": Linux treats 0.x.x.x destinations as local.
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified"},
	// Carrier-grade NAT space, often internal in cloud networks (Alibaba
	// Cloud's metadata service is 100.100.100.200).
	{netip.MustParsePrefix("100.64.0.0/10"), "shared (CGNAT)"},
	// Benchmarking space, which "fake IP" DNS proxies hand out for
	// internal names.
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking"},
	// Reserved and limited broadcast: nothing public lives there.
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	// Azure's platform endpoint (wireserver): a public-looking address
	// that only a VM reaches, and that hands out its configuration.
	{netip.MustParsePrefix("168.63.129.16/32"), "cloud platform (Azure wireserver)"},
	// Deprecated IPv6 forms that carry an IPv4 address or were local.
	{netip.MustParsePrefix("::/96"), "IPv4-compatible (deprecated)"},
	{netip.MustParsePrefix("fec0::/10"), "site-local"},
	{netip.MustParsePrefix("2001::/32"), "Teredo"},
}

// embedded lists IPv6 ranges whose addresses carry an IPv4 address that a
// gateway or tunnel may deliver to: such an address is as internal as
// the IPv4 address it carries.
var embedded = []struct {
	prefix netip.Prefix
	at     int // the byte the IPv4 address starts at
	name   string
}{
	{netip.MustParsePrefix("64:ff9b::/96"), 12, "NAT64"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), 12, "NAT64"},
	{netip.MustParsePrefix("2002::/16"), 2, "6to4"},
}

// ParseAllow reads PARLEY_ALLOW_PRIVATE_URLS-style lists: comma- or
// space-separated IPs or CIDRs ("127.0.0.1, ::1/128, 10.0.0.0/8"); a bare IP
// means that one address. An error names the bad entry.
func ParseAllow(s string) ([]netip.Prefix, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
	var out []netip.Prefix
	for _, f := range fields {
		var p netip.Prefix
		if strings.Contains(f, "/") {
			pp, err := netip.ParsePrefix(f)
			if err != nil {
				return nil, badEntry(f)
			}
			p = pp.Masked() // "10.1.2.3/8" means 10.0.0.0/8
		} else {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, badEntry(f)
			}
			a = a.WithZone("") // zones never match a prefix
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, unmapPrefix(p))
	}
	return out, nil
}

func badEntry(f string) error {
	// Our own wording rather than netip's, so the message stays stable.
	return fmt.Errorf("netguard: bad allow entry %q: want an IP or CIDR such as 127.0.0.1 or 10.0.0.0/8", f)
}

// unmapPrefix turns ::ffff:a.b.c.d/n (n >= 96) into a.b.c.d/(n-96): Check
// unmaps addresses, so an IPv4-mapped prefix would otherwise never match.
func unmapPrefix(p netip.Prefix) netip.Prefix {
	if !p.Addr().Is4In6() || p.Bits() < 96 {
		return p
	}
	return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
}

// PolicyFromEnv reads PARLEY_ALLOW_PRIVATE_URLS.
func PolicyFromEnv() (Policy, error) {
	allow, err := ParseAllow(os.Getenv(EnvAllow))
	if err != nil {
		return Policy{}, fmt.Errorf("%s: %w", EnvAllow, err)
	}
	return Policy{Allow: allow}, nil
}

// Check reports whether ip may be reached (exported for tests and for checks
// before a call).
func (p Policy) Check(ip netip.Addr) error {
	// ::ffff:127.0.0.1 is 127.0.0.1 on the wire; zones would make
	// Prefix.Contains always false.
	ip = ip.Unmap().WithZone("")
	if reason := p.reason(ip); reason != "" {
		return refused("%s is %s address; %s", ip, article(reason), allowHint(ip))
	}
	return nil
}

// reason is why ip is refused, or "" when it may be reached.
func (p Policy) reason(ip netip.Addr) string {
	ip = ip.Unmap().WithZone("")
	reason := internal(ip)
	if reason == "" {
		return ""
	}
	for _, a := range p.Allow {
		if a.Contains(ip) {
			return ""
		}
	}
	return reason
}

// allowHint says how an operator allows ip.
func allowHint(ip netip.Addr) string {
	return fmt.Sprintf("to allow it set %s (e.g. %s=%s)", EnvAllow, EnvAllow, ip)
}

// article is "a reason" or "an reason".
func article(reason string) string {
	if reason != "" && strings.ContainsRune("aeiouAEIOU", rune(reason[0])) {
		return "an " + reason
	}
	return "a " + reason
}

// internal names why ip is internal, or returns "" for a public address.
func internal(ip netip.Addr) string {
	switch {
	case !ip.IsValid():
		return "invalid"
	case ip.IsUnspecified():
		return "unspecified"
	case ip.IsLoopback():
		return "loopback"
	case ip.IsLinkLocalUnicast():
		return "link-local"
	case ip.IsPrivate():
		return "private"
	case ip.IsMulticast():
		return "multicast"
	}
	for _, b := range blocked {
		if b.prefix.Contains(ip) {
			return b.reason
		}
	}
	for _, e := range embedded {
		if e.prefix.Contains(ip) {
			b := ip.As16()
			v4 := netip.AddrFrom4([4]byte(b[e.at : e.at+4]))
			if r := internal(v4); r != "" {
				return fmt.Sprintf("%s form of %s, a %s", e.name, v4, r)
			}
		}
	}
	return ""
}

// Client returns an *http.Client that checks every address it connects to
// (after DNS resolution, at connect time, so DNS rebinding cannot bypass it),
// never follows redirects (the 3xx response is returned as is), and uses the
// given overall timeout.
func (p Policy) Client(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{
		Timeout:   30 * time.Second,
		KeepAlive: 30 * time.Second,
		// Control runs for each resolved address after the socket is
		// created but before connect(), so a refused address never sees
		// a packet and a hostname cannot resolve to one behind our back.
		Control: func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				// Fail closed: we cannot tell where this goes.
				return fmt.Errorf("%w: cannot parse dial address %q", ErrRefused, address)
			}
			return p.Check(ap.Addr())
		},
	}
	transport := &http.Transport{
		// No proxy: the guard would then only see the proxy's address,
		// not the real destination. The hook runs for every request
		// before it dials, so it refuses what Precheck refuses (an
		// address in an unusual spelling, a localhost name) whoever
		// builds the request.
		Proxy: func(req *http.Request) (*url.URL, error) {
			_, err := p.Precheck(req.URL.String())
			return nil, err
		},
		DialContext:           p.dial(dialer),
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	return &http.Client{
		Transport: transport,
		Timeout:   timeout,
		// A redirect could point anywhere; callers get the 3xx instead.
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// dial is how the Client's transport dials: the dialer's own resolution,
// or with a Resolver, each address it gives in turn. Either way each
// address passes the dialer's Control (Check) before any packet is sent.
func (p Policy) dial(d *net.Dialer) func(ctx context.Context, network, address string) (net.Conn, error) {
	if p.Resolver == nil {
		return d.DialContext
	}
	return func(ctx context.Context, network, address string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(address)
		if err != nil {
			return nil, err
		}
		if _, err := netip.ParseAddr(host); err == nil {
			return d.DialContext(ctx, network, address)
		}
		family := "ip"
		switch network {
		case "tcp4":
			family = "ip4"
		case "tcp6":
			family = "ip6"
		}
		addrs, err := p.Resolver.LookupNetIP(ctx, family, host)
		if err != nil {
			return nil, &net.OpError{Op: "dial", Net: network, Err: err}
		}
		var first error
		for _, a := range addrs {
			conn, err := d.DialContext(ctx, network, net.JoinHostPort(a.String(), port))
			if err == nil {
				return conn, nil
			}
			if first == nil {
				first = err // the first address's error, as the net package reports
			}
		}
		if first == nil {
			first = &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
		}
		return nil, first
	}
}
