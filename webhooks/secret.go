package webhooks

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// SecretPrefix starts every secret NewSecret makes, as Standard Webhooks
// libraries expect.
const SecretPrefix = "whsec_"

// secretBytes is the key size: 192 bits, within the 24-64 bytes Standard
// Webhooks recommends.
const secretBytes = 24

// NewSecret returns a fresh signing secret: "whsec_" and the standard base64
// of 24 random bytes.
func NewSecret() (string, error) {
	b := make([]byte, secretBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generating webhook secret: %w", err)
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(b), nil
}

// DecodeSecret returns the HMAC key of a "whsec_<base64>" secret.
func DecodeSecret(s string) ([]byte, error) {
	enc, ok := strings.CutPrefix(s, SecretPrefix)
	if !ok {
		return nil, errors.New(`webhook secret must start with "whsec_"`)
	}
	key, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		// No detail from base64: its offsets would hint at the secret.
		return nil, errors.New(`webhook secret must be "whsec_" followed by standard base64`)
	}
	if len(key) == 0 {
		return nil, errors.New(`webhook secret is empty after "whsec_"`)
	}
	return key, nil
}

// signingKey is the Standard Webhooks key of a live secret. Worken clients
// choose their own secrets, which need not be "whsec_..."; those sign with
// their UTF-8 bytes, as the libraries' "raw" secret format verifies.
func signingKey(s string) ([]byte, error) {
	if s == "" {
		return nil, errors.New("webhook secret is empty")
	}
	if !strings.HasPrefix(s, SecretPrefix) {
		return []byte(s), nil
	}
	return DecodeSecret(s)
}

// CheckSecret returns why a secret a client chose (Worken's API takes the
// client's own) cannot sign deliveries, or nil: it must not be empty, and
// one that starts with "whsec_" must be a Standard Webhooks secret, since
// signing decodes it.
func CheckSecret(s string) error {
	_, err := signingKey(s)
	return err
}
