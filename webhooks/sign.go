package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Header names of a delivery. Go sends them in canonical case; HTTP header
// names are case-insensitive.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
	HeaderWorken    = "x-worken-signature"
)

// Sign returns the webhook-signature header value: "v1,<base64 HMAC-SHA256
// of id.unix-seconds.body>" for each key, joined by spaces.
func Sign(keys [][]byte, id string, ts time.Time, body []byte) string {
	prefix := id + "." + strconv.FormatInt(ts.Unix(), 10) + "."
	sigs := make([]string, 0, len(keys))
	for _, key := range keys {
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(prefix))
		mac.Write(body)
		sigs = append(sigs, "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	}
	return strings.Join(sigs, " ")
}

// WorkenSignature returns the x-worken-signature header value: the hex
// HMAC-SHA256 of body keyed with the secret string itself, as Worken's
// documentation verifies it with Node's createHmac('sha256', secret).
func WorkenSignature(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}
