package netguard

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// lookupTimeout bounds CheckURL's lookup of a name.
const lookupTimeout = 3 * time.Second

// ParseURL parses raw, a URL Parley is to call, and refuses (ErrRefused)
// what no policy allows: a URL that does not parse, a scheme other than
// http or https, no host, or a host that is an IPv4 address written in a
// form other than a.b.c.d (127.1, 2130706433, 0x7f000001, 017700000001,
// 127.0.0.1.): C resolvers read those as addresses, Go's as names, so
// what they reach depends on the resolver. Addresses are not checked:
// that is Precheck's and CheckURL's.
func ParseURL(raw string) (*url.URL, error) {
	// The messages do not repeat the URL: its query or userinfo may hold
	// a receiver's token, and errors end up in logs and delivery records.
	u, err := url.Parse(raw)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, refused("not a valid URL: %v", err)
	}
	switch {
	case u.Scheme == "":
		return nil, refused("the URL has no scheme: only http and https URLs are allowed, such as https://example.com/hook")
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, refused("only http and https URLs are allowed, not %s:", u.Scheme)
	case u.Hostname() == "":
		return nil, refused("the URL has no host; write an absolute URL such as https://example.com/hook")
	}
	if _, isIP, err := hostIP(u.Hostname()); err != nil {
		return nil, err
	} else if !isIP && !validName(u.Hostname()) {
		return nil, refused("%q is not a valid host name", u.Hostname())
	}
	return u, nil
}

// validName reports whether host is made of what DNS names are: letters,
// digits, hyphens, underscores and dots (and non-ASCII letters, which
// IDNA turns into ASCII). An escaped "@" or a backslash is not, and
// resolvers differ on what they do with it.
func validName(host string) bool {
	for _, r := range host {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		case r > 0x7f && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)):
		default:
			return false
		}
	}
	return true
}

// Precheck is ParseURL, then Check of the host when it is an IP address
// (in any spelling) or a localhost name (which RFC 6761 keeps for
// loopback: 127.0.0.1 and ::1; refused unless one of them is allowed).
// It does not look names up: at call time
// the Client's dial-time check sees the addresses they resolve to then.
// A refused URL is refused before any connection is made.
func (p Policy) Precheck(raw string) (*url.URL, error) {
	u, err := ParseURL(raw)
	if err != nil {
		return nil, err
	}
	host := u.Hostname()
	ip, isIP, _ := hostIP(host)
	switch {
	case isIP:
		return u, p.checkAs(host, ip)
	case isLocalhost(host):
		// Refused when both are: the dial tries each address the name
		// has, so one allowed (PARLEY_ALLOW_PRIVATE_URLS=127.0.0.1) is
		// enough.
		if p.reason(netip.IPv6Loopback()) != "" {
			return u, p.checkAs(host, netip.MustParseAddr("127.0.0.1"))
		}
	}
	return u, nil
}

// CheckURL is for a URL when it is configured (a webhook endpoint, a
// service's URL): Precheck, then for a name each address it resolves to
// now must pass Check. A name that does not resolve (yet) passes: the
// Client checks what it resolves to when it is called, which also stops
// a name that resolves to an internal address only later (DNS rebinding).
func (p Policy) CheckURL(ctx context.Context, raw string) error {
	u, err := p.Precheck(raw)
	if err != nil {
		return err
	}
	host := u.Hostname()
	if _, isIP, _ := hostIP(host); isIP || isLocalhost(host) {
		return nil
	}
	var r Resolver = net.DefaultResolver
	if p.Resolver != nil {
		r = p.Resolver
	}
	ctx, cancel := context.WithTimeout(ctx, lookupTimeout)
	defer cancel()
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil //nolint:nilerr // unknown now: the dial-time check decides
	}
	for _, ip := range addrs {
		if reason := p.reason(ip); reason != "" {
			ip = ip.Unmap().WithZone("")
			return refused("%s resolves to %s, %s address; %s", host, ip, article(reason), allowHint(ip))
		}
	}
	return nil
}

// checkAs is Check of ip, worded with spelled, how the URL writes it.
func (p Policy) checkAs(spelled string, ip netip.Addr) error {
	reason := p.reason(ip)
	if reason == "" {
		return nil
	}
	ip = ip.Unmap().WithZone("")
	if spelled == ip.String() {
		return p.Check(ip)
	}
	return refused("%s is %s, %s address; %s", spelled, ip, article(reason), allowHint(ip))
}

// isLocalhost reports whether host is localhost or a name under it.
func isLocalhost(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}

// hostIP reads a URL's host (without brackets) as an IP address. isIP is
// false for a name. An IPv4 address in another form than a.b.c.d, or a
// host that looks like an address but is none (256.1.1.1, 1.2.3.4.5), is
// refused.
func hostIP(host string) (ip netip.Addr, isIP bool, err error) {
	if strings.Contains(host, ":") { // only an IPv6 address has colons
		ip, err := netip.ParseAddr(host)
		if err != nil {
			return netip.Addr{}, true, refused("%s is not a valid IPv6 address", host)
		}
		return ip, true, nil
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip, true, nil
	}
	if !numeric(host) {
		return netip.Addr{}, false, nil
	}
	ip, ok := parseLooseIPv4(host)
	if !ok {
		return netip.Addr{}, true, refused("%s looks like an IP address but is not one; write an IPv4 address as a.b.c.d", host)
	}
	what := ""
	if r := internal(ip); r != "" {
		what = " (" + article(r) + " address)"
	}
	return netip.Addr{}, true, refused("%s is the IP address %s%s written in a form resolvers read differently; write it as %s", host, ip, what, ip)
}

// numeric reports whether every dot-separated part of host is a number
// (decimal, 0-prefixed octal or 0x-prefixed hex) as inet_aton reads them;
// one final dot is allowed. No DNS name is like that: a top-level domain
// is never all digits.
func numeric(host string) bool {
	parts := strings.Split(strings.TrimSuffix(host, "."), ".")
	for _, part := range parts {
		if part == "" {
			return false
		}
		lower := strings.ToLower(part)
		if strings.HasPrefix(lower, "0x") {
			if strings.Trim(lower[2:], "0123456789abcdef") != "" {
				return false
			}
			continue
		}
		if strings.Trim(part, "0123456789") != "" {
			return false
		}
	}
	return true
}

// parseLooseIPv4 reads an IPv4 address as inet_aton does: one to four
// numbers, each decimal, 0-prefixed octal or 0x-prefixed hex, the last
// filling the bytes the others leave (127.1 is 127.0.0.1, 2130706433 is
// 127.0.0.1), and a final dot.
func parseLooseIPv4(host string) (netip.Addr, bool) {
	parts := strings.Split(strings.TrimSuffix(host, "."), ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	nums := make([]uint64, len(parts))
	for i, part := range parts {
		base, digits := 10, part
		switch lower := strings.ToLower(part); {
		case strings.HasPrefix(lower, "0x"):
			base, digits = 16, lower[2:]
			if digits == "" { // "0x" is 0 to inet_aton
				digits = "0"
			}
		case len(part) > 1 && part[0] == '0':
			base, digits = 8, part[1:]
		}
		n, err := strconv.ParseUint(digits, base, 32)
		if err != nil {
			return netip.Addr{}, false
		}
		nums[i] = n
	}
	last := len(nums) - 1
	var v uint64
	for i, n := range nums[:last] {
		if n > 0xff {
			return netip.Addr{}, false
		}
		v |= n << (24 - 8*i)
	}
	if nums[last] >= 1<<(32-8*last) {
		return netip.Addr{}, false
	}
	v |= nums[last]
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}
