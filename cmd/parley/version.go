package main

import (
	"runtime/debug"
)

// version and commit are set by `make build` with -ldflags -X; a plain
// `go build` or `go install` leaves version "dev" and the commit to the
// build information Go records.
var (
	version = "dev"
	commit  = ""
)

// versionLine is what `parley version` prints: "parley 1.2.0 (commit abc1234)".
func versionLine() string {
	c := commit
	if c == "" {
		c = vcsRevision()
	}
	if c == "" {
		return "parley " + version
	}
	return "parley " + version + " (commit " + c + ")"
}

// vcsRevision is the commit Go recorded when it built from a repository.
func vcsRevision() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" && len(s.Value) >= 12 {
			return s.Value[:12]
		}
	}
	return ""
}
