// Package nodes declares Parley's node kinds: for each, a spec of its fields
// (which drives validation, the JSON Schema and the editor), a typed config
// decoded from YAML, and the checks its field types cannot express.
package nodes

import "github.com/parleyhq/parley/flows"

// kinds lists every node kind, in the order the documentation shows them.
var kinds = []flows.Kind{
	messageKind, questionKind, llmKind, blockKind, gotoKind,
	handoffKind, branchKind, setKind, waitKind, endKind,
}

var language = &flows.Language{Kinds: kinds, Settings: settingsField, CheckSettings: checkSettings}

// Language returns Parley's flow language: every node kind and the bot settings.
func Language() *flows.Language { return language }

// Load reads a bot file and checks it; see flows.Load.
func Load(file string, src []byte) (*flows.Flow, flows.Problems) {
	return flows.Load(file, src, language)
}

// kind implements flows.Kind for a typed config C.
type kind[C any] struct {
	spec   *flows.KindSpec
	decode func(n *flows.Node, c *flows.Checker) *C
	pauses func(cfg *C) bool
}

func (k kind[C]) Spec() *flows.KindSpec { return k.spec }

func (k kind[C]) Decode(n *flows.Node, c *flows.Checker) any { return k.decode(n, c) }

func (k kind[C]) Pauses(cfg any) bool {
	if k.pauses == nil {
		return false
	}
	typed, ok := cfg.(*C)
	return ok && k.pauses(typed)
}

func always[C any](*C) bool { return true }
