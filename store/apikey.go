package store

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// API key shape: "sk-" and 48 base62 characters from crypto/rand.
const (
	APIKeyScheme     = "sk-"
	apiKeyRandomLen  = 48
	apiKeyPrefixLen  = 7
	apiKeyMinLen     = 20
	base62           = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	base62Acceptable = 256 - 256%len(base62) // bytes at or above this would bias the draw
)

// NewAPIKey returns a new random API key.
func NewAPIKey() (string, error) {
	s, err := RandomBase62(apiKeyRandomLen)
	if err != nil {
		return "", fmt.Errorf("generating API key: %w", err)
	}
	return APIKeyScheme + s, nil
}

// RandomBase62 returns n characters drawn uniformly from base62 with
// crypto/rand: the random part of API keys and of knowledge UUIDs
// ("file-...", "vs_...").
func RandomBase62(n int) (string, error) {
	var b strings.Builder
	b.Grow(n)
	buf := make([]byte, 64)
	for b.Len() < n {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("reading random bytes: %w", err)
		}
		for _, c := range buf {
			if int(c) < base62Acceptable && b.Len() < n {
				b.WriteByte(base62[int(c)%len(base62)])
			}
		}
	}
	return b.String(), nil
}

// HashSecret returns the hex SHA-256 of secret, the only form an API key or
// a block token is stored in. A fast hash is enough for long random
// strings, which these are; it is not for passwords.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// HashAPIKey returns the hex SHA-256 of key, the only form a key is stored in.
func HashAPIKey(key string) string { return HashSecret(key) }

// APIKeyPrefix returns the start of key shown in lists to recognise it.
func APIKeyPrefix(key string) string {
	return key[:min(len(key), apiKeyPrefixLen)]
}

// CheckAPIKey returns EINVALID unless key could be an API key: it starts
// with "sk-" and has at least 20 characters.
func CheckAPIKey(key string) error {
	if !strings.HasPrefix(key, APIKeyScheme) || len(key) < apiKeyMinLen {
		return Errorf(EINVALID, "An API key must start with %q and have at least %d characters.", APIKeyScheme, apiKeyMinLen)
	}
	return nil
}
