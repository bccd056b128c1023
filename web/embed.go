// Package web is Parley's web app (the flow editor, the inbox), built by
// `make web` from the TypeScript in src/ into dist/, which is committed and
// embedded here so that `go build` needs no Node.
package web

import (
	"embed"
	"io/fs"
)

//go:embed dist
var dist embed.FS

// Dist is the built app: index.html and assets/.
func Dist() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // dist is embedded at build time: it is there
	}
	return sub
}
