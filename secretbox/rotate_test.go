package secretbox

import (
	"bytes"
	"encoding/base64"
	"errors"
	"slices"
	"strings"
	"testing"
)

func key(fill byte) []byte { return bytes.Repeat([]byte{fill}, KeySize) }

func TestOldKeysOpen(t *testing.T) {
	a, c := newBox(t, 1), newBox(t, 3)
	underA, err := a.Seal("sk-under-a")
	if err != nil {
		t.Fatal(err)
	}
	underC, _ := c.Seal("sk-under-c")
	b, err := New(key(2), key(1))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := b.Open(underA); err != nil || got != "sk-under-a" {
		t.Errorf("Open of a value under the old key = %q, %v", got, err)
	}
	if _, err := b.Open(underC); !errors.Is(err, ErrOpen) {
		t.Errorf("Open of a value under an unknown key: err = %v, want ErrOpen", err)
	}
	sealed, _ := b.Seal("new")
	if _, err := a.Open(sealed); !errors.Is(err, ErrOpen) {
		t.Error("a new value opens under the old key: Seal did not use the current key")
	}
	if got, err := newBox(t, 2).Open(sealed); err != nil || got != "new" {
		t.Errorf("the current key alone opens %q, %v", got, err)
	}
}

func TestNewOldKeys(t *testing.T) {
	if _, err := New(key(1), key(2), make([]byte, 5)); err == nil || !strings.Contains(err.Error(), "old key 2") {
		t.Errorf("a short old key: err = %v, want one naming old key 2", err)
	}
	b, err := New(key(1), key(1), key(2), key(2))
	if err != nil {
		t.Fatal(err)
	}
	if got := len(b.DeriveAll("jwt")); got != 2 {
		t.Errorf("DeriveAll gave %d keys, want 2: the current key and old ones, each once", got)
	}
}

func TestDeriveAll(t *testing.T) {
	b, err := New(key(2), key(1))
	if err != nil {
		t.Fatal(err)
	}
	want := [][]byte{newBox(t, 2).Derive("jwt"), newBox(t, 1).Derive("jwt")}
	if got := b.DeriveAll("jwt"); !slices.EqualFunc(got, want, bytes.Equal) {
		t.Errorf("DeriveAll = %x, want the current key's then the old one's %x", got, want)
	}
	if !bytes.Equal(b.Derive("jwt"), want[0]) {
		t.Error("Derive does not use the current key")
	}
}

func TestReseal(t *testing.T) {
	a := newBox(t, 1)
	b, err := New(key(2), key(1))
	if err != nil {
		t.Fatal(err)
	}
	underA, _ := a.Seal("whsec_x")
	underB, _ := b.Seal("whsec_y")
	underC, _ := newBox(t, 3).Seal("whsec_z")

	t.Run("old key", func(t *testing.T) {
		got, changed, err := b.Reseal(underA)
		if err != nil || !changed {
			t.Fatalf("Reseal = %v, %v; want changed", changed, err)
		}
		if plain, err := newBox(t, 2).Open(got); err != nil || plain != "whsec_x" {
			t.Errorf("the resealed value opens under the current key as %q, %v", plain, err)
		}
	})
	t.Run("current key", func(t *testing.T) {
		got, changed, err := b.Reseal(underB)
		if err != nil || changed || got != underB {
			t.Errorf("Reseal = %q, %v, %v; want the value unchanged", got, changed, err)
		}
	})
	t.Run("no key", func(t *testing.T) {
		if got, _, err := b.Reseal(underC); !errors.Is(err, ErrOpen) || got != "" {
			t.Errorf("Reseal = %q, %v; want ErrOpen", got, err)
		}
	})
}

func TestOldKeysFromEnv(t *testing.T) {
	enc := func(fill byte) string { return base64.StdEncoding.EncodeToString(key(fill)) }
	for _, tc := range []struct {
		name, value string
		want        [][]byte
		wantErr     string
	}{
		{"unset", "", nil, ""},
		{"one", enc(1), [][]byte{key(1)}, ""},
		{"two with spaces", " " + enc(1) + " , " + enc(2) + ",", [][]byte{key(1), key(2)}, ""},
		{"bad second", enc(1) + ",short", nil, "key 2 of " + EnvOldKeys},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvOldKeys, tc.value)
			got, err := OldKeysFromEnv()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || strings.Contains(err.Error(), "short") {
					t.Fatalf("err = %v, want one naming %q and not quoting the key", err, tc.wantErr)
				}
				return
			}
			if err != nil || !slices.EqualFunc(got, tc.want, bytes.Equal) {
				t.Fatalf("OldKeysFromEnv() = %x, %v; want %x", got, err, tc.want)
			}
		})
	}
}

func TestFromEnv(t *testing.T) {
	t.Setenv(EnvOldKeys, base64.StdEncoding.EncodeToString(key(1)))
	underA, _ := newBox(t, 1).Seal("kept")
	b, err := FromEnv(key(2))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := b.Open(underA); err != nil || got != "kept" {
		t.Errorf("FromEnv's box opens a value under the old key as %q, %v", got, err)
	}
	if b, err := FromEnv(nil); b != nil || err != nil {
		t.Errorf("FromEnv(nil) = %v, %v; want no box", b, err)
	}
}
