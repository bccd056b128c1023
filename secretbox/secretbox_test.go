package secretbox

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func newBox(t *testing.T, fill byte) *Box {
	t.Helper()
	b, err := New(bytes.Repeat([]byte{fill}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRoundTrip(t *testing.T) {
	b := newBox(t, 1)
	for _, plain := range []string{"whsec_c2VjcmV0", "", "ünïcode ✓"} {
		sealed, err := b.Seal(plain)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(sealed, "v1:") || strings.Contains(sealed, plain) && plain != "" {
			t.Errorf("Seal(%q) = %q, want v1: and no plain text", plain, sealed)
		}
		got, err := b.Open(sealed)
		if err != nil || got != plain {
			t.Errorf("Open(Seal(%q)) = %q, %v", plain, got, err)
		}
	}
	s1, _ := b.Seal("same")
	s2, _ := b.Seal("same")
	if s1 == s2 {
		t.Error("two seals of one secret are equal: the nonce is not random")
	}
}

func TestOpenRefuses(t *testing.T) {
	b := newBox(t, 1)
	sealed, err := b.Seal("whsec_c2VjcmV0")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(sealed, "v1:"))
	raw[len(raw)-1] ^= 1
	tampered := "v1:" + base64.StdEncoding.EncodeToString(raw)
	for name, value := range map[string]string{
		"wrong key":      sealed,
		"tampered":       tampered,
		"not base64":     "v1:%%%",
		"too short":      "v1:" + base64.StdEncoding.EncodeToString([]byte{1, 2, 3}),
		"no version":     strings.TrimPrefix(sealed, "v1:"),
		"empty":          "",
		"future version": "v2:" + strings.TrimPrefix(sealed, "v1:"),
	} {
		t.Run(name, func(t *testing.T) {
			box := b
			if name == "wrong key" {
				box = newBox(t, 2)
			}
			got, err := box.Open(value)
			if !errors.Is(err, ErrOpen) || got != "" {
				t.Errorf("Open = %q, %v; want ErrOpen", got, err)
			}
		})
	}
}

func TestNewKeySizes(t *testing.T) {
	for _, n := range []int{0, 16, 24, 31, 33, 64} {
		if _, err := New(make([]byte, n)); err == nil || !strings.Contains(err.Error(), "32 bytes") {
			t.Errorf("New with %d bytes: err = %v, want one saying 32 bytes", n, err)
		}
	}
}

func TestKeyFromEnv(t *testing.T) {
	key := bytes.Repeat([]byte{7}, KeySize)
	for _, tc := range []struct {
		name, value string
		want        []byte
		wantErr     bool
	}{
		{"ok", base64.StdEncoding.EncodeToString(key), key, false},
		{"unset", "", nil, false},
		{"not base64", "not base64!", nil, true},
		{"short", base64.StdEncoding.EncodeToString(key[:16]), nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvKey, tc.value)
			got, err := KeyFromEnv()
			if tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), EnvKey) {
					t.Fatalf("err = %v, want one naming %s", err, EnvKey)
				}
				return
			}
			if err != nil || !bytes.Equal(got, tc.want) {
				t.Fatalf("KeyFromEnv() = %x, %v; want %x", got, err, tc.want)
			}
		})
	}
}

func TestLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dir", "secret.key")
	key, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(key) != KeySize {
		t.Fatalf("key has %d bytes, want %d", len(key), KeySize)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := info.Mode().Perm(); got != 0o600 {
		t.Errorf("key file mode = %v, want 0600", got)
	}
	again, err := LoadOrCreateKey(path)
	if err != nil || !bytes.Equal(again, key) {
		t.Errorf("second LoadOrCreateKey = %x, %v; want the same key %x", again, err, key)
	}

	bad := filepath.Join(t.TempDir(), "bad.key")
	if err := os.WriteFile(bad, []byte("short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateKey(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("malformed key file: err = %v, want one naming the file", err)
	}
}

func TestDerive(t *testing.T) {
	a, b := newBox(t, 1), newBox(t, 2)
	if !bytes.Equal(a.Derive("jwt"), newBox(t, 1).Derive("jwt")) {
		t.Error("the same key and label derive different keys")
	}
	if bytes.Equal(a.Derive("jwt"), a.Derive("other")) || bytes.Equal(a.Derive("jwt"), b.Derive("jwt")) {
		t.Error("another label or key derives the same key")
	}
	if len(a.Derive("jwt")) != 32 {
		t.Errorf("derived %d bytes, want 32", len(a.Derive("jwt")))
	}
}
