// Package netguard provides an HTTP client for calls to user-configured URLs
// (custom block services, webhooks) that refuses to reach internal addresses,
// so a bot author cannot use Parley to probe the host, its network or the
// cloud metadata service (SSRF).
package netguard

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"time"
	"unicode"
)

// EnvAllow names the environment variable read by PolicyFromEnv.
const EnvAllow = "PARLEY_ALLOW_PRIVATE_URLS"

// ErrRefused is wrapped by errors for refused addresses; errors.Is works on
// what client.Do returns.
var ErrRefused = errors.New("netguard: address refused")

// Policy says which addresses outbound calls may reach.
type Policy struct {
	// Allow lists networks that are allowed even though they are
	// loopback, link-local, private or unspecified (tests put their
	// loopback services here). IPv4 networks must be written in IPv4 form:
	// Check unmaps ::ffff:a.b.c.d before matching.
	Allow []netip.Prefix
}

// blocked lists the internal ranges that netip.Addr has no predicate for.
var blocked = []struct {
	prefix netip.Prefix
	reason string
}{
	// "This network": Linux treats 0.x.x.x destinations as local.
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified"},
	// Carrier-grade NAT space, often internal in cloud networks.
	{netip.MustParsePrefix("100.64.0.0/10"), "shared (CGNAT)"},
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
	reason := internal(ip)
	if reason == "" {
		return nil
	}
	for _, a := range p.Allow {
		if a.Contains(ip) {
			return nil
		}
	}
	return fmt.Errorf("%w: %s is a %s address; to allow it set %s (e.g. %s=%s)",
		ErrRefused, ip, reason, EnvAllow, EnvAllow, ip)
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
		// No environment proxy: the guard would then only see the proxy's
		// address, not the real destination.
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
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
