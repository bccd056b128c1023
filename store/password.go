package store

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the cost parameters of new password hashes.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// PasswordParams are used for new hashes; tests lower them for speed. A hash
// records its own parameters, so changing them never breaks stored hashes.
var PasswordParams = Argon2Params{Memory: 19456, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// maxMemory bounds what a stored hash may ask for, so a corrupt or hostile
// row cannot make verification allocate gigabytes.
const maxMemory = 1 << 20 // KiB, 1 GiB

var b64 = base64.RawStdEncoding

// HashPassword returns an argon2id hash of password in PHC string form:
// $argon2id$v=19$m=19456,t=2,p=1$salt$hash.
func HashPassword(password string) (string, error) {
	p := PasswordParams
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("reading salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches encoded, a HashPassword
// result, comparing in constant time. An empty encoded (no such user) is
// checked against a dummy hash, so an unknown email takes as long as a wrong
// password and cannot be told apart by timing.
func VerifyPassword(encoded, password string) (bool, error) {
	if encoded == "" {
		h, err := dummy()
		if err != nil {
			return false, err
		}
		_, err = VerifyPassword(h, password)
		return false, err
	}
	p, salt, want, err := parseHash(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

var dummy = sync.OnceValues(func() (string, error) { return HashPassword("parley dummy password") })

// parseHash splits a PHC string into its parameters, salt and key.
func parseHash(encoded string) (Argon2Params, []byte, []byte, error) {
	var p Argon2Params
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, errors.New("parsing password hash: not an argon2id PHC string")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return p, nil, nil, fmt.Errorf("parsing password hash: unsupported version %q", parts[2])
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return p, nil, nil, fmt.Errorf("parsing password hash parameters: %w", err)
	}
	if p.Memory == 0 || p.Memory > maxMemory || p.Time == 0 || p.Time > 100 || p.Threads == 0 {
		return p, nil, nil, fmt.Errorf("parsing password hash: parameters out of range %q", parts[3])
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return p, nil, nil, fmt.Errorf("parsing password hash salt: %w", err)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil {
		return p, nil, nil, fmt.Errorf("parsing password hash key: %w", err)
	}
	if len(key) == 0 {
		return p, nil, nil, errors.New("parsing password hash: empty key")
	}
	return p, salt, key, nil
}
