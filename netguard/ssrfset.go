package netguard

import (
	"context"
	"net"
	"net/netip"
	"net/url"
	"strings"
)

// The SSRF set: URLs a user may give Parley to call (a block's url, a url
// tool, a webhook endpoint) to make it reach what it must not: the host
// itself, its network, the cloud metadata service, other schemes. Every
// outbound path's TestSSRF... feeds every URL of the set and expects each
// refused, before any connection to a refused address. The set needs no
// network: its names resolve through HostileResolver, its loopback URLs
// point at a listener the test runs (Targets.Port) and counts
// connections on, and its redirects go through a server the test runs on
// PublicAddr.

// HostileURL is one URL of the SSRF set.
type HostileURL struct {
	URL  string
	What string // what it tries, for messages
	// Redirect marks a URL of a public-looking server that answers with a
	// redirect to an internal URL: nothing is wrong with the URL itself
	// (a check when it is configured passes it), the call must not
	// follow the redirect and must fail.
	Redirect bool
}

// Targets are where the set's URLs point.
type Targets struct {
	// Port is the port of a listener on 127.0.0.1 that counts the
	// connections it accepts: the loopback URLs of the set point at it.
	Port string
	// Port6 is the port of the same listener on [::1]; "" means Port.
	Port6 string
	// RedirectPort is the port of a server on PublicAddr that answers a
	// request for /301, /302, /303, /307 or /308 with that status and a
	// Location that is its query's "to".
	RedirectPort string
}

// PublicAddr is the address of the set's public-looking name,
// public.test: the redirecting server listens there, and the SSRF tests'
// policy allows it (it is loopback, so the tests need no network).
const PublicAddr = "127.0.0.2"

// PublicName is the set's public-looking name; it resolves to PublicAddr.
const PublicName = "public.test"

// HostileNames are the names the set uses and what HostileResolver
// resolves them to.
var HostileNames = map[string][]string{
	"localhost":                {"127.0.0.1", "::1"},
	"app.localhost":            {"127.0.0.1", "::1"},
	"loopback.test":            {"127.0.0.1"},
	"loopback6.test":           {"::1"},
	"mapped.test":              {"::ffff:127.0.0.1"},
	"127.0.0.1.nip.io":         {"127.0.0.1"},
	"internal.test":            {"10.0.0.1"},
	"mixed.test":               {"10.1.2.3", "127.0.0.1"},
	"metadata.google.internal": {"169.254.169.254"},
	"metadata6.test":           {"fd00:ec2::254"},
	"cgnat.test":               {"100.100.100.200"},
	"multicast.test":           {"224.0.0.251"},
	"zero.test":                {"0.0.0.0"},
	"nat64.test":               {"64:ff9b::a9fe:a9fe"},
	PublicName:                 {PublicAddr},
}

// HostileResolver resolves HostileNames, and nothing else: another name
// is not found. It never asks DNS.
func HostileResolver() StaticResolver {
	r := StaticResolver{}
	for name, addrs := range HostileNames {
		for _, a := range addrs {
			r[name] = append(r[name], netip.MustParseAddr(a))
		}
	}
	return r
}

// StaticResolver is a Resolver that answers from a table (names in lower
// case, without the final dot) instead of DNS, for tests.
type StaticResolver map[string][]netip.Addr

// LookupNetIP returns host's addresses of network ("ip", "ip4" or "ip6").
func (r StaticResolver) LookupNetIP(_ context.Context, network, host string) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, a := range r[strings.TrimSuffix(strings.ToLower(host), ".")] {
		if network == "ip" || (network == "ip4") == a.Unmap().Is4() {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return out, nil
}

// HostileURLs returns the SSRF set (more than 80 URLs) pointed at t.
func HostileURLs(t Targets) []HostileURL {
	p, p6 := t.Port, t.Port6
	if p6 == "" {
		p6 = p
	}
	lo := func(host string) string { return "http://" + host + ":" + p + "/" }
	lo6 := func(host string) string { return "http://[" + host + "]:" + p6 + "/" }
	set := []HostileURL{
		// Loopback, in every spelling, at the listener.
		{lo("127.0.0.1"), "loopback", false},
		{"https://127.0.0.1:" + p + "/", "loopback over TLS", false},
		{"HTTP://127.0.0.1:" + p + "/admin", "loopback, scheme in capitals", false},
		{lo("127.1"), "loopback, short form 127.1", false},
		{lo("127.0.1"), "loopback, short form 127.0.1", false},
		{lo("2130706433"), "loopback as one decimal number", false},
		{lo("0x7f000001"), "loopback as one hex number", false},
		{lo("0x7f.0x0.0x0.0x1"), "loopback in dotted hex", false},
		{lo("017700000001"), "loopback as one octal number", false},
		{lo("0177.0.0.01"), "loopback in dotted octal", false},
		{lo("127.000.000.001"), "loopback with leading zeros", false},
		{lo("127.0.0.1."), "loopback with a final dot", false},
		{lo("127.255.255.254"), "another loopback address", false},
		{lo6("::1"), "IPv6 loopback", false},
		{lo6("0:0:0:0:0:0:0:1"), "IPv6 loopback written out", false},
		{lo6("::1%25lo"), "IPv6 loopback with a zone", false},
		{"http://[::ffff:127.0.0.1]:" + p + "/", "IPv4-mapped loopback", false},
		{"http://[::ffff:7f00:1]:" + p + "/", "IPv4-mapped loopback in hex", false},
		{"http://[0:0:0:0:0:ffff:127.0.0.1]:" + p + "/", "IPv4-mapped loopback written out", false},
		{"http://[::127.0.0.1]:" + p + "/", "IPv4-compatible loopback", false},
		{"http://[64:ff9b::127.0.0.1]:" + p + "/", "NAT64 form of loopback", false},
		{"http://[2002:7f00:1::]:" + p + "/", "6to4 form of loopback", false},
		{lo("localhost"), "localhost", false},
		{lo("LOCALHOST"), "localhost in capitals", false},
		{lo("localhost."), "localhost with a final dot", false},
		{lo("app.localhost"), "a name under localhost", false},
		{lo("loopback.test"), "a name that resolves to loopback", false},
		{lo6("::1") + "x/../", "IPv6 loopback, path tricks", false},
		{"http://loopback6.test:" + p6 + "/", "a name that resolves to IPv6 loopback", false},
		{lo("mapped.test"), "a name that resolves to IPv4-mapped loopback", false},
		{lo("127.0.0.1.nip.io"), "a wildcard DNS name of loopback", false},
		{lo("mixed.test"), "a name that resolves to a private and a loopback address", false},
		// Userinfo tricks: the host is what follows the @.
		{"http://example.com@127.0.0.1:" + p + "/", "userinfo that looks like a host", false},
		{"http://example.com:443@127.0.0.1:" + p + "/", "userinfo with a port", false},
		{"http://user:pass@localhost:" + p + "/", "credentials for localhost", false},
		{"http://example.com%40127.0.0.1:" + p + "/", "an escaped @ in the host", false},
		{"http://127.0.0.1:" + p + "\\@example.com/", "a backslash before the @", false},
		{"http://127.0.0.1:" + p + "#@example.com/", "a fragment that looks like the host", false},
		// Unspecified: Linux delivers it to the local host.
		{lo("0.0.0.0"), "unspecified", false},
		{lo("0"), "unspecified as 0", false},
		{lo6("::"), "IPv6 unspecified", false},
		{lo("zero.test"), "a name that resolves to 0.0.0.0", false},
		{"http://0.1.2.3/", "this network (0.0.0.0/8)", false},
		// Link-local and cloud metadata.
		{"http://169.254.169.254/latest/meta-data/iam/security-credentials/", "AWS metadata", false},
		{"http://169.254.169.254/computeMetadata/v1/?recursive=true", "GCP metadata", false},
		{"http://169.254.169.254/metadata/instance?api-version=2021-02-01", "Azure metadata", false},
		{"http://[fd00:ec2::254]/latest/meta-data/", "AWS metadata over IPv6", false},
		{"http://2852039166/latest/meta-data/", "metadata as one decimal number", false},
		{"http://0xa9fea9fe/latest/meta-data/", "metadata as one hex number", false},
		{"http://0251.0376.0251.0376/", "metadata in dotted octal", false},
		{"http://169.254.43518/", "metadata, short form", false},
		{"http://[::ffff:169.254.169.254]/", "IPv4-mapped metadata", false},
		{"http://[::ffff:a9fe:a9fe]/", "IPv4-mapped metadata in hex", false},
		{"http://metadata.google.internal/computeMetadata/v1/", "GCP metadata by name", false},
		{"http://metadata6.test/latest/meta-data/", "a name that resolves to AWS's IPv6 metadata", false},
		{"http://nat64.test/", "a name that resolves to NAT64 metadata", false},
		{"http://169.254.170.2/v2/credentials/", "ECS task credentials", false},
		{"http://168.63.129.16/machine?comp=goalstate", "Azure wireserver", false},
		{"http://[fe80::1]/", "IPv6 link-local", false},
		{"http://[fe80::1%25eth0]/", "IPv6 link-local with a zone", false},
		// Private ranges.
		{"http://10.0.0.1/", "private 10/8", false},
		{"http://10.255.255.254:8080/", "private 10/8, top", false},
		{"http://012.0.0.1/", "private 10/8 in octal", false},
		{"http://167772161/", "private 10/8 as one number", false},
		{"http://172.16.0.1/", "private 172.16/12", false},
		{"http://172.31.255.254/", "private 172.16/12, top", false},
		{"http://192.168.0.1/", "private 192.168/16", false},
		{"https://192.168.1.1:8443/", "private 192.168/16 over TLS", false},
		{"http://[::ffff:10.0.0.1]/", "IPv4-mapped private", false},
		{"http://[fc00::1]/", "IPv6 unique local", false},
		{"http://[fd12:3456:789a::1]/", "IPv6 unique local (fd)", false},
		{"http://[fec0::1]/", "IPv6 site-local", false},
		{"http://internal.test/", "a name that resolves to a private address", false},
		// Shared address space (CGNAT).
		{"http://100.64.0.1/", "CGNAT", false},
		{"http://100.127.255.254/", "CGNAT, top", false},
		{"http://100.100.100.200/latest/meta-data/", "Alibaba Cloud metadata (CGNAT)", false},
		{"http://cgnat.test/", "a name that resolves to CGNAT", false},
		// Multicast, broadcast, reserved, benchmarking.
		{"http://224.0.0.1/", "multicast", false},
		{"http://239.255.255.250:1900/", "multicast (SSDP)", false},
		{"http://[ff02::1]/", "IPv6 multicast", false},
		{"http://multicast.test/", "a name that resolves to multicast", false},
		{"http://255.255.255.255/", "broadcast", false},
		{"http://240.0.0.1/", "reserved", false},
		{"http://198.18.0.1/", "benchmarking", false},
		// Not IP addresses, though they look like them.
		{"http://256.0.0.1/", "an IPv4 address out of range", false},
		{"http://1.2.3.4.5/", "five parts", false},
		// Other schemes.
		{"file:///etc/passwd", "file", false},
		{"file://localhost/etc/passwd", "file on localhost", false},
		{"gopher://127.0.0.1:" + p + "/_GET%20/", "gopher", false},
		{"ftp://127.0.0.1:" + p + "/", "ftp", false},
		{"dict://127.0.0.1:" + p + "/info", "dict", false},
		{"ldap://127.0.0.1:" + p + "/", "ldap", false},
		{"ws://127.0.0.1:" + p + "/", "websocket", false},
		{"//127.0.0.1:" + p + "/", "no scheme", false},
		{"127.0.0.1:" + p, "a host and port without a scheme", false},
		{"http:///etc/passwd", "no host", false},
	}
	if t.RedirectPort != "" {
		redirect := func(code, to string) string {
			return "http://" + PublicName + ":" + t.RedirectPort + "/" + code + "?to=" + url.QueryEscape(to)
		}
		for _, r := range []struct{ code, to, what string }{
			{"302", lo("127.0.0.1"), "a redirect to loopback"},
			{"301", lo6("::1"), "a permanent redirect to IPv6 loopback"},
			{"303", lo("localhost"), "a see-other redirect to localhost"},
			{"307", "http://169.254.169.254/latest/meta-data/", "a temporary redirect to the metadata service"},
			{"308", "http://10.0.0.1/", "a permanent redirect to a private address"},
			{"302", "http://internal.test/", "a redirect to a name that resolves to a private address"},
			{"302", "file:///etc/passwd", "a redirect to a file"},
			{"302", "gopher://127.0.0.1:" + p + "/_x", "a redirect to gopher"},
		} {
			set = append(set, HostileURL{URL: redirect(r.code, r.to), What: r.what, Redirect: true})
		}
	}
	return set
}
