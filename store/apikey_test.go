package store

import (
	"regexp"
	"testing"
)

func TestNewAPIKey(t *testing.T) {
	pattern := regexp.MustCompile(`^sk-[0-9A-Za-z]{48}$`)
	seen := map[string]bool{}
	for range 100 {
		key, err := NewAPIKey()
		if err != nil {
			t.Fatal(err)
		}
		if !pattern.MatchString(key) {
			t.Fatalf("key %q, want sk- and 48 base62 characters", key)
		}
		if seen[key] {
			t.Fatalf("key %q made twice", key)
		}
		seen[key] = true
		if err := CheckAPIKey(key); err != nil {
			t.Fatalf("CheckAPIKey(%q) = %v", key, err)
		}
	}
}

func TestHashAPIKey(t *testing.T) {
	// SHA-256 of "abc", from FIPS 180-2.
	got, want := HashAPIKey("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	if got != want {
		t.Errorf("HashAPIKey = %s, want %s", got, want)
	}
}

func TestAPIKeyPrefix(t *testing.T) {
	for _, c := range []struct{ key, want string }{
		{"sk-abcdefgh", "sk-abcd"},
		{"sk-a", "sk-a"},
	} {
		if got := APIKeyPrefix(c.key); got != c.want {
			t.Errorf("APIKeyPrefix(%q) = %q, want %q", c.key, got, c.want)
		}
	}
}

func TestCheckAPIKey(t *testing.T) {
	for _, c := range []struct {
		name, key string
		code      string
	}{
		{"ok", "sk-0123456789abcdefg", ""},
		{"too short", "sk-0123456789abcdef", EINVALID},
		{"wrong scheme", "xk-0123456789abcdefg", EINVALID},
		{"empty", "", EINVALID},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := ErrorCode(CheckAPIKey(c.key)); got != c.code {
				t.Errorf("code %q, want %q", got, c.code)
			}
		})
	}
}
