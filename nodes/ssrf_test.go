package nodes

import (
	"fmt"
	"strings"
	"testing"

	"github.com/parleyhq/parley/flows"
	"github.com/parleyhq/parley/netguard"
)

// ssrfBot has a block and a url tool with the same URL, on lines 9 and 6.
const ssrfBot = `bot: ssrf
settings:
  tools:
    order_status:
      description: Look up an order.
      url: %[1]q
nodes:
  lookup:
    kind: block
    url: %[1]q
    wait: false
`

// TestBotFileServiceURLs loads a bot whose block and url tool have each URL
// of the SSRF set. What the URL alone shows is reported where it is
// written: another scheme, no host or an address in an unusual spelling is
// an error; an internal address or localhost is a warning (the server's
// PARLEY_ALLOW_PRIVATE_URLS may allow it; otherwise the call is refused,
// see worker's TestSSRFBlock and the dialog's TestSSRFBlockDialog). Names
// and redirects are for the call to find out.
func TestBotFileServiceURLs(t *testing.T) {
	urls := netguard.HostileURLs(netguard.Targets{Port: "8080", RedirectPort: "8081"})
	var errs, warns, later int
	for _, h := range urls {
		_, problems := Load("ssrf.yaml", []byte(fmt.Sprintf(ssrfBot, h.URL)))
		at := map[string]flows.Severity{}
		for _, p := range problems {
			if p.Code != flows.CodeBadURL {
				t.Errorf("%s (%s): unexpected problem %s", h.URL, h.What, p)
				continue
			}
			at[fmt.Sprintf("%d:%d", p.Line, p.Column)] = p.Severity
		}
		_, parseErr := netguard.ParseURL(h.URL)
		_, preErr := netguard.Policy{}.Precheck(h.URL)
		switch {
		case parseErr != nil:
			errs++
			if sev, ok := at["6:12"]; !ok || sev != flows.Error || at["10:10"] != flows.Error || len(at) != 2 {
				t.Errorf("%s (%s): problems %v, want errors at 6:12 and 10:10:\n%s", h.URL, h.What, at, problems)
			}
		case preErr != nil:
			warns++
			if sev, ok := at["6:12"]; !ok || sev != flows.Warning || at["10:10"] != flows.Warning || len(at) != 2 {
				t.Errorf("%s (%s): problems %v, want warnings at 6:12 and 10:10:\n%s", h.URL, h.What, at, problems)
			}
			for _, p := range problems {
				if !strings.Contains(p.Message, "refused unless the server allows it") || !strings.Contains(p.Message, netguard.EnvAllow) {
					t.Errorf("%s: the warning %q does not say the call is refused and how to allow it", h.URL, p.Message)
				}
			}
		default:
			later++
			if len(problems) != 0 || !(h.Redirect || strings.Contains(h.URL, ".test") || strings.Contains(h.URL, ".internal") || strings.Contains(h.URL, ".nip.io")) {
				t.Errorf("%s (%s): problems %s, want none: only names and redirects are left to the call", h.URL, h.What, problems)
			}
		}
	}
	if errs == 0 || warns == 0 || later == 0 {
		t.Errorf("errors %d, warnings %d, left to the call %d: the set should have each", errs, warns, later)
	}
	t.Logf("bot file: of %d URLs, %d are errors, %d warnings, %d (names, redirects) left to the call", len(urls), errs, warns, later)
}
