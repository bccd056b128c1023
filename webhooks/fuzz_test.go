package webhooks

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzSign signs arbitrary deliveries and checks them as a Standard
// Webhooks receiver does (fuzzVerify, after the spec and its libraries:
// Parley only sends, so it has no verifier of its own). A delivery
// verifies with every live secret; a fuzzed header verifies only when it
// carries the genuine signature; another id, timestamp or body verifies
// only when it signs the same content.
func FuzzSign(f *testing.F) {
	f.Add(specSecret, specID, int64(specTS), []byte(specBody), specSig, "msg_other", int64(specTS), []byte(specBody))
	f.Add("a Worken client's own secret", "evt_1", int64(1700000000), []byte(`{"type":"thread.created"}`),
		"v1,AAAA v1a,xyz", "evt_1", int64(1700000001), []byte(`{"type":"thread.created"}`))
	f.Add("whsec_AAEC", "evt.1", int64(2), []byte("3.body"), "v1, v2,abc", "evt", int64(1), []byte("2.3.body"))
	f.Add("whsec_not base64!", "", int64(-1), []byte{}, "", "", int64(0), []byte(nil))
	f.Add("whsec_", "id", int64(0), []byte("x"), "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", "id", int64(0), []byte("y"))
	f.Fuzz(func(t *testing.T, secret, id string, ts int64, body []byte, header, id2 string, ts2 int64, body2 []byte) {
		key, err := signingKey(secret)
		if err != nil {
			if CheckSecret(secret) == nil {
				t.Fatalf("CheckSecret(%q) passes a secret that cannot sign: %v", secret, err)
			}
			return
		}
		other := []byte("the other live secret")
		sig := Sign([][]byte{key, other}, id, time.Unix(ts, 0), body)
		if parts := strings.Split(sig, " "); len(parts) != 2 {
			t.Fatalf("two keys gave %d signatures: %q", len(parts), sig)
		}
		for _, k := range [][]byte{key, other} {
			if !fuzzVerify(k, id, strconv.FormatInt(ts, 10), body, sig) {
				t.Fatalf("Sign's header %q does not verify", sig)
			}
		}
		mine := Sign([][]byte{key}, id, time.Unix(ts, 0), body)
		if fuzzVerify(key, id, strconv.FormatInt(ts, 10), body, header) && !strings.Contains(" "+header+" ", " "+mine+" ") {
			t.Fatalf("header %q verifies without the genuine signature %q", header, mine)
		}
		same := id2+"."+strconv.FormatInt(ts2, 10)+"."+string(body2) == id+"."+strconv.FormatInt(ts, 10)+"."+string(body)
		if fuzzVerify(key, id2, strconv.FormatInt(ts2, 10), body2, sig) != same {
			t.Fatalf("(%q, %d, %q) verifies %v against the signature of (%q, %d, %q)", id2, ts2, body2, !same, id, ts, body)
		}
	})
}

// fuzzVerify checks a webhook-signature header as the Standard Webhooks
// libraries do: any space-separated "v1,<base64>" entry that equals the
// HMAC-SHA256 of "id.timestamp.body" under key.
func fuzzVerify(key []byte, id, timestamp string, body []byte, header string) bool {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + timestamp + "."))
	mac.Write(body)
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, entry := range strings.Split(header, " ") {
		version, sig, ok := strings.Cut(entry, ",")
		if ok && version == "v1" && hmac.Equal([]byte(sig), []byte(want)) {
			return true
		}
	}
	return false
}
