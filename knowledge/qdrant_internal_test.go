package knowledge

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestParseQdrantURL(t *testing.T) {
	for _, tc := range []struct {
		url    string
		host   string
		port   int
		tls    bool
		key    string
		prefix string
	}{
		{"localhost:6334", "localhost", 6334, false, "", DefaultQdrantPrefix},
		{"localhost", "localhost", 6334, false, "", DefaultQdrantPrefix},
		{"http://qdrant:7000", "qdrant", 7000, false, "", DefaultQdrantPrefix},
		{"http://qdrant:7000/", "qdrant", 7000, false, "", DefaultQdrantPrefix},
		{"https://xyz.cloud.qdrant.io:6334?api_key=s3cret", "xyz.cloud.qdrant.io", 6334, true, "s3cret", DefaultQdrantPrefix},
		{"https://xyz.cloud.qdrant.io", "xyz.cloud.qdrant.io", 6334, true, "", DefaultQdrantPrefix},
		{" http://[::1]:6334?prefix=dev_ ", "[::1]", 6334, false, "", "dev_"},
	} {
		cfg, prefix, err := parseQdrantURL(tc.url)
		if err != nil {
			t.Errorf("%q: %v", tc.url, err)
			continue
		}
		if cfg.Host != tc.host || cfg.Port != tc.port || cfg.UseTLS != tc.tls || cfg.APIKey != tc.key || prefix != tc.prefix {
			t.Errorf("%q: host %q port %d tls %v key %q prefix %q, want %q %d %v %q %q",
				tc.url, cfg.Host, cfg.Port, cfg.UseTLS, cfg.APIKey, prefix, tc.host, tc.port, tc.tls, tc.key, tc.prefix)
		}
	}
	for _, bad := range []string{"", "  ", "ftp://qdrant:6334", "http://:6334", "http://qdrant:0", "http://qdrant:99999", "http://qdrant:6334/collections", "http://qdrant?prefix=", "http://qdrant?prefix=a/b"} {
		if _, _, err := parseQdrantURL(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestQdrantCollectionName(t *testing.T) {
	x := &QdrantIndex{prefix: DefaultQdrantPrefix}
	for _, tc := range []struct {
		embedder string
		dim      int
		want     string
	}{
		{"hash-v1-512", 512, "parley_hash-v1-512"},
		{"hash-v1-512", 256, "parley_hash-v1-512-256"},
		{"model:text-embedding-3-small", 1536, "parley_model_text-embedding-3-small-1536"},
		{"a/b c", 3, "parley_a_b_c-3"},
		{"", 4, "parley_-4"},
	} {
		if got := x.collection(tc.embedder, tc.dim); got != tc.want {
			t.Errorf("collection(%q, %d) = %q, want %q", tc.embedder, tc.dim, got, tc.want)
		}
	}
	long := strings.Repeat("x", 300)
	a, b := x.collection(long, 8), x.collection(long+"y", 8)
	if len(a) > 255 || a == b || !strings.HasSuffix(a, "-8") {
		t.Errorf("long names: %q and %q, want distinct names of at most 255 bytes ending in -8", a, b)
	}
}

func TestQdrantPointID(t *testing.T) {
	a := pointID(1, 2, 3, 4).GetUuid()
	if a == "" || a != pointID(1, 2, 3, 4).GetUuid() {
		t.Fatalf("pointID not deterministic: %q", a)
	}
	for _, other := range []string{pointID(1, 2, 3, 5).GetUuid(), pointID(1, 2, 4, 3).GetUuid(), pointID(2, 1, 3, 4).GetUuid(), pointID(12, 3, 4, 4).GetUuid()} {
		if other == a {
			t.Errorf("pointID collides: %q", a)
		}
	}
}

// TestNewQdrantIndexUnreachable: a server that does not answer is an error
// at once, not at the first search.
func TestNewQdrantIndexUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	x, err := NewQdrantIndex(ctx, "http://127.0.0.1:1")
	if err == nil {
		x.Close()
		t.Fatal("NewQdrantIndex of a closed port succeeded")
	}
}
