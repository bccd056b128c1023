package secretbox

import (
	"fmt"
	"os"
	"strings"
)

// EnvOldKeys is the variable OldKeysFromEnv reads: keys being rotated out,
// comma-separated, each the standard base64 of KeySize bytes.
const EnvOldKeys = "PARLEY_SECRET_KEY_OLD"

// OldKeysFromEnv returns the keys in PARLEY_SECRET_KEY_OLD, in order; none
// when it is unset or empty, an error naming the variable and the key's
// place when one is not the standard base64 of KeySize bytes.
func OldKeysFromEnv() ([][]byte, error) {
	var keys [][]byte
	for i, v := range strings.Split(os.Getenv(EnvOldKeys), ",") {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		key, err := decodeKey(v, fmt.Sprintf("key %d of %s", i+1, EnvOldKeys))
		if err != nil {
			return nil, err
		}
		keys = append(keys, key)
	}
	return keys, nil
}

// FromEnv returns a Box on key with the old keys of PARLEY_SECRET_KEY_OLD,
// so that what was sealed before a rotation still opens; nil for a nil key
// (no secret key configured), whatever the old keys.
func FromEnv(key []byte) (*Box, error) {
	if key == nil {
		return nil, nil
	}
	old, err := OldKeysFromEnv()
	if err != nil {
		return nil, err
	}
	return New(key, old...)
}

// Reseal returns sealed as it should be stored now: unchanged (and false)
// when the current key opens it, sealed anew under the current key (and
// true) when only an old key does; ErrOpen when no key opens it.
func (b *Box) Reseal(sealed string) (string, bool, error) {
	if _, err := b.open(sealed); err == nil {
		return sealed, false, nil
	}
	plain, err := b.Open(sealed)
	if err != nil {
		return "", false, err
	}
	out, err := b.Seal(plain)
	if err != nil {
		return "", false, err
	}
	return out, true, nil
}
