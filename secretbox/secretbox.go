// Package secretbox seals secrets Parley must read back (webhook signing
// secrets, integrations' credentials, AI tokens, widget visitor tokens) with
// AES-256-GCM, so a copy of the database alone does not give them away. The
// key comes from PARLEY_SECRET_KEY, or in development from a key file
// LoadOrCreateKey makes; PARLEY_SECRET_KEY_OLD lists keys being rotated out,
// which still open and verify but never seal (see rotate.go).
package secretbox

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// KeySize is the size of a key: AES-256.
const KeySize = 32

// EnvKey is the variable KeyFromEnv reads: the standard base64 of a
// KeySize-byte key.
const EnvKey = "PARLEY_SECRET_KEY"

// version starts every sealed value, so another scheme can follow.
const version = "v1:"

// ErrOpen is what Open returns for a value it cannot open: sealed with
// another key, damaged, or not sealed at all. It says no more, so that it
// hints nothing about the key.
var ErrOpen = errors.New("opening sealed secret: the key is wrong or the value is damaged")

// Box seals secrets with one key and opens them with it or with an old key
// being rotated out. It is safe for concurrent use.
type Box struct {
	aead cipher.AEAD
	key  []byte // for Derive
	old  []*Box // keys that still open and verify, never seal
}

// New returns a Box sealing with key; what was sealed under one of old (or
// signed with keys derived from one) still opens (verifies). Every key must
// be KeySize bytes; an old key equal to key is dropped.
func New(key []byte, old ...[]byte) (*Box, error) {
	b, err := newKeyBox(key)
	if err != nil {
		return nil, err
	}
	for i, k := range old {
		if bytes.Equal(k, key) || slices.ContainsFunc(b.old, func(o *Box) bool { return bytes.Equal(o.key, k) }) {
			continue
		}
		ob, err := newKeyBox(k)
		if err != nil {
			return nil, fmt.Errorf("old key %d: %w", i+1, err)
		}
		b.old = append(b.old, ob)
	}
	return b, nil
}

func newKeyBox(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secret key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("creating cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("creating cipher: %w", err)
	}
	return &Box{aead: aead, key: slices.Clone(key)}, nil
}

// Derive returns a key of its own for another use (signing tokens, say):
// HMAC-SHA256 of label under the box's key, so that key never serves two
// purposes and one derived key tells nothing of the box's.
func (b *Box) Derive(label string) []byte {
	mac := hmac.New(sha256.New, b.key)
	mac.Write([]byte(label))
	return mac.Sum(nil)
}

// DeriveAll returns Derive(label) under the current key first, then under
// each old key: the keys a signature made before a rotation may verify
// with.
func (b *Box) DeriveAll(label string) [][]byte {
	out := [][]byte{b.Derive(label)}
	for _, o := range b.old {
		out = append(out, o.Derive(label))
	}
	return out
}

// Seal returns plain sealed: "v1:" and the standard base64 of a random
// nonce followed by the ciphertext.
func (b *Box) Seal(plain string) (string, error) {
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(plain)+b.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("sealing secret: %w", err)
	}
	out := b.aead.Seal(nonce, nonce, []byte(plain), nil)
	return version + base64.StdEncoding.EncodeToString(out), nil
}

// Open returns the secret sealed in sealed, under the current key or an
// old one; ErrOpen if it was sealed with another key, is damaged or is not
// a sealed value.
func (b *Box) Open(sealed string) (string, error) {
	plain, err := b.open(sealed)
	for _, o := range b.old {
		if err == nil {
			break
		}
		plain, err = o.open(sealed)
	}
	return plain, err
}

// open opens sealed with the current key only.
func (b *Box) open(sealed string) (string, error) {
	enc, ok := strings.CutPrefix(sealed, version)
	if !ok {
		return "", ErrOpen
	}
	raw, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(raw) < b.aead.NonceSize()+b.aead.Overhead() {
		return "", ErrOpen
	}
	n := b.aead.NonceSize()
	plain, err := b.aead.Open(nil, raw[:n], raw[n:], nil)
	if err != nil {
		return "", ErrOpen
	}
	return string(plain), nil
}

// KeyFromEnv returns the key in PARLEY_SECRET_KEY; nil and no error when
// the variable is unset or empty, an error naming it when it is not the
// standard base64 of KeySize bytes.
func KeyFromEnv() ([]byte, error) {
	v := strings.TrimSpace(os.Getenv(EnvKey))
	if v == "" {
		return nil, nil
	}
	return decodeKey(v, EnvKey)
}

// decodeKey decodes a base64 key, naming where it came from in errors. No
// detail from base64: its offsets would hint at the key.
func decodeKey(v, from string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(key) != KeySize {
		return nil, fmt.Errorf("%s must be the standard base64 of %d random bytes (make one with: openssl rand -base64 %d)",
			from, KeySize, KeySize)
	}
	return key, nil
}

// LoadOrCreateKey returns the key in the file at path (the standard base64
// of KeySize bytes), first writing a random one there, readable by its
// owner only, if there is no file. It is for development; production sets
// PARLEY_SECRET_KEY.
func LoadOrCreateKey(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		return decodeKey(strings.TrimSpace(string(data)), "secret key file "+path)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading secret key: %w", err)
	}
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("generating secret key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("creating secret key: %w", err)
	}
	// O_EXCL: a process that creates the file meanwhile wins, and we read its key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return LoadOrCreateKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("creating secret key: %w", err)
	}
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("writing secret key: %w", err)
	}
	return key, nil
}
