package webhooks

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// The test vector published by Standard Webhooks (spec.md, "Signature scheme").
const (
	specSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTS     = 1614265330
	specBody   = `{"test": 2432232314}`
	specSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignSpecVector(t *testing.T) {
	key, err := DecodeSecret(specSecret)
	if err != nil {
		t.Fatal(err)
	}
	got := Sign([][]byte{key}, specID, time.Unix(specTS, 0), []byte(specBody))
	if got != specSig {
		t.Errorf("Sign = %q, want %q", got, specSig)
	}
}

func TestSignTwoSecrets(t *testing.T) {
	old, err := DecodeSecret(specSecret)
	if err != nil {
		t.Fatal(err)
	}
	newer := []byte("another key of twenty-four")
	ts := time.Unix(specTS, 0)
	got := Sign([][]byte{newer, old}, specID, ts, []byte(specBody))
	sigs := strings.Split(got, " ")
	if len(sigs) != 2 {
		t.Fatalf("Sign with two keys = %q, want two space-separated signatures", got)
	}
	if sigs[1] != specSig {
		t.Errorf("old key's signature = %q, want %q", sigs[1], specSig)
	}
	if want := hmacBase64(newer, specID+".1614265330."+specBody); sigs[0] != "v1,"+want {
		t.Errorf("new key's signature = %q, want v1,%s", sigs[0], want)
	}
}

func TestSignNoKeys(t *testing.T) {
	if got := Sign(nil, specID, time.Unix(specTS, 0), []byte(specBody)); got != "" {
		t.Errorf("Sign with no keys = %q, want empty", got)
	}
}

func TestWorkenSignature(t *testing.T) {
	// Computed with Node: createHmac('sha256', specSecret).update(specBody).digest('hex').
	const want = "80ec8a89ce3cd22133a1066caecb4d04fea7467657c8514d717ec42c38a5c94c"
	if got := WorkenSignature(specSecret, []byte(specBody)); got != want {
		t.Errorf("WorkenSignature = %s, want %s", got, want)
	}
}

func TestNewSecret(t *testing.T) {
	a, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Errorf("two secrets are both %q", a)
	}
	enc, ok := strings.CutPrefix(a, "whsec_")
	if !ok {
		t.Fatalf("secret %q lacks the whsec_ prefix", a)
	}
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(raw) != 24 {
		t.Fatalf("secret %q: decoded %d bytes (err %v), want 24", a, len(raw), err)
	}
	key, err := DecodeSecret(a)
	if err != nil || string(key) != string(raw) {
		t.Errorf("DecodeSecret(%q) = %x, %v; want %x", a, key, err, raw)
	}
}

func TestDecodeSecret(t *testing.T) {
	for name, tc := range map[string]struct{ in, err string }{
		"ok":             {in: "whsec_AAEC", err: ""},
		"no prefix":      {in: "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", err: `must start with "whsec_"`},
		"not base64":     {in: "whsec_not base64!", err: "followed by standard base64"},
		"url base64":     {in: "whsec_-_-_", err: "followed by standard base64"},
		"empty key":      {in: "whsec_", err: "empty"},
		"empty":          {in: "", err: `must start with "whsec_"`},
		"prefix mid-way": {in: "xwhsec_AAEC", err: `must start with "whsec_"`},
	} {
		t.Run(name, func(t *testing.T) {
			key, err := DecodeSecret(tc.in)
			if tc.err == "" {
				if err != nil || string(key) != "\x00\x01\x02" {
					t.Errorf("DecodeSecret(%q) = %x, %v; want 000102", tc.in, key, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("DecodeSecret(%q) error = %v, want one saying %q", tc.in, err, tc.err)
			}
		})
	}
}
