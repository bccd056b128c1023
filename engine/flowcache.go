package engine

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"sync"

	"github.com/parleyhq/parley/flows"
	"github.com/parleyhq/parley/nodes"
)

// Flows are parsed once per process and shared: a loaded flow is read-only
// and its compiled expressions are safe for concurrent use. Keyed by the
// source's checksum, so the same source always yields the same flow and
// replays stay deterministic.
var flowCache = struct {
	sync.Mutex
	byChecksum map[[32]byte]*flows.Flow
}{byChecksum: map[[32]byte]*flows.Flow{}}

const maxCachedFlows = 512

// LoadFlow parses the flow a dialog is pinned to (cached by checksum).
func LoadFlow(ref FlowRef) (*flows.Flow, error) {
	sum := sha256.Sum256([]byte(ref.Source))
	flowCache.Lock()
	defer flowCache.Unlock()
	if f, ok := flowCache.byChecksum[sum]; ok {
		return f, nil
	}
	f, problems := nodes.Load(fmt.Sprintf("%s@%d", ref.Slug, ref.Version), []byte(ref.Source))
	if problems.HasErrors() {
		var b strings.Builder
		for _, p := range problems.Errors() {
			b.WriteString(p.String() + "\n")
		}
		return nil, fmt.Errorf("loading flow %s version %d:\n%s", ref.Slug, ref.Version, b.String())
	}
	if len(flowCache.byChecksum) >= maxCachedFlows {
		clear(flowCache.byChecksum)
	}
	flowCache.byChecksum[sum] = f
	return f, nil
}
