package server

import "github.com/gin-gonic/gin"

// appCSP is the web app's Content Security Policy: its own scripts only
// (no inline script, no eval), so an injected <script> or an attribute
// handler in a bot's text does nothing; styles may be inline because the
// canvas and the code editor set them at run time; calls go to this
// origin only; no page may frame it (clickjacking).
const appCSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
	"font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// noSniff makes browsers take every answer for the type it says it is: a
// user's upload served as text/plain is never run as HTML or script.
func noSniff(c *gin.Context) {
	c.Header("X-Content-Type-Options", "nosniff")
	c.Next()
}

// appHeaders are the web app page's: its CSP, no framing (for browsers
// that predate frame-ancestors), and no full URL, which may hold a
// dialog's id, in the Referer of what it links to.
func appHeaders(c *gin.Context) {
	c.Header("Content-Security-Policy", appCSP)
	c.Header("X-Frame-Options", "DENY")
	c.Header("Referrer-Policy", "strict-origin-when-cross-origin")
}
