package server

import (
	"bytes"
	"testing"

	"github.com/parleyhq/parley/secretbox"
)

// TestTokensAfterKeyRotation: a token signed under the old secret key
// verifies while the key is listed as old, and no longer once it is gone;
// new tokens are signed with the new key.
func TestTokensAfterKeyRotation(t *testing.T) {
	keyA, keyB := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	boxA, _ := secretbox.New(keyA)
	rotating, _ := secretbox.New(keyB, keyA)
	boxB, _ := secretbox.New(keyB)

	underA, _, err := NewTokens(boxA).Issue(t.Context(), fuzzSessions{}, 42, 7)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewTokens(rotating).parse(underA, false); err != nil {
		t.Errorf("a token of the old key, with it listed as old: %v", err)
	}
	if _, err := NewTokens(boxB).parse(underA, false); err != errBadToken {
		t.Errorf("a token of the old key, with it gone: err = %v, want the bad-token error", err)
	}
	fresh, _, err := NewTokens(rotating).Issue(t.Context(), fuzzSessions{}, 42, 7)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewTokens(boxB).parse(fresh, false); err != nil {
		t.Errorf("a token issued while rotating does not verify with the new key alone: %v", err)
	}
}
