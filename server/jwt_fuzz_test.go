package server

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/secretbox"
	"github.com/parleyhq/parley/store"
)

// fuzzSessions hands out one session id; Issue needs nothing else.
type fuzzSessions struct{ store.Store }

func (fuzzSessions) CreateSession(_ context.Context, kind store.SessionKind, userID, projectID int64, _ time.Duration) (string, *store.Session, error) {
	return string(kind) + "fuzz", &store.Session{UserID: userID, ProjectID: projectID}, nil
}

// FuzzTokens feeds arbitrary strings, and real tokens with one byte
// changed, to the JWT parser. It never panics and refuses with
// EUNAUTHORIZED (the bad-token or the expired error); what it accepts
// carries the claims of a token Issue made. A token with any byte changed
// is refused, even where base64 would decode it to the same bytes (strict
// decoding: a token has one spelling).
func FuzzTokens(f *testing.F) {
	box, err := secretbox.New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		f.Fatal(err)
	}
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	tokens := NewTokens(box)
	tokens.Now = func() time.Time { return now }
	live, _, err := tokens.Issue(f.Context(), fuzzSessions{}, 42, 7)
	if err != nil {
		f.Fatal(err)
	}
	old := NewTokens(box)
	old.Now = func() time.Time { return now.Add(-2 * DefaultTokenTTL) }
	expired, _, err := old.Issue(f.Context(), fuzzSessions{}, 42, 7)
	if err != nil {
		f.Fatal(err)
	}
	if !IsJWT(live) {
		f.Fatalf("IsJWT(%q) = false", live)
	}
	other, err := secretbox.New(bytes.Repeat([]byte{8}, 32))
	if err != nil {
		f.Fatal(err)
	}
	foreign, _, err := NewTokens(other).Issue(f.Context(), fuzzSessions{}, 42, 7)
	if err != nil {
		f.Fatal(err)
	}
	for _, raw := range []string{live, expired, foreign, "", "eyJ.eyJ.", "sk-live-abc",
		"eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJpc3MiOiJwYXJsZXkiLCJqdGkiOiJwc194In0.",
		strings.Replace(live, ".", "=.", 1), live + "."} {
		f.Add(raw, uint16(0), byte(0))
	}
	f.Add(live, uint16(len(live)-1), byte('A'))
	f.Add(live, uint16(strings.IndexByte(live, '.')+3), byte('x'))
	f.Fuzz(func(t *testing.T, raw string, pos uint16, b byte) {
		c, err := tokens.parse(raw, false)
		switch {
		case err == nil:
			if c.ID != "pj_fuzz" || c.Subject != "42" || c.ProjectID != 7 || !c.ExpiresAt.Equal(now.Add(DefaultTokenTTL)) {
				t.Fatalf("accepted %q with claims %+v", raw, c)
			}
		case err != errBadToken && err != ErrTokenExpired:
			t.Fatalf("parse(%q) = %v, want the bad-token or the expired error", raw, err)
		}
		if c, err := tokens.parse(raw, true); err == nil && (c.ID != "pj_fuzz" || c.Subject != "42") {
			t.Fatalf("accepted %q, expired or not, with claims %+v", raw, c)
		}

		i := int(pos) % len(live)
		if live[i] == b {
			return
		}
		changed := live[:i] + string([]byte{b}) + live[i+1:]
		if _, err := tokens.parse(changed, false); err == nil {
			t.Fatalf("accepted %q, %q with byte %d changed to %q", changed, live, i, b)
		}
	})
}
