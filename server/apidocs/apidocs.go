// Package apidocs is the API reference page served at /docs: Redoc's
// standalone bundle (from npm, see package.json; `make apidocs` updates
// it) and a page that points it at /openapi.json. Nothing is loaded from
// a CDN.
package apidocs

import _ "embed"

// Page is the HTML of /docs.
//
//go:embed index.html
var Page []byte

// Viewer is Redoc's standalone script, served at /docs/redoc.js.
//
//go:embed redoc.standalone.js
var Viewer []byte
