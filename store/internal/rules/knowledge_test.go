package rules

import (
	"bytes"
	"math"
	"regexp"
	"testing"

	"github.com/parleyhq/parley/store"
)

func TestVectorLittleEndian(t *testing.T) {
	v := []float32{1, -2.5, float32(math.Inf(1)), math.SmallestNonzeroFloat32}
	want := []byte{0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0, 0x00, 0x00, 0x80, 0x7f, 0x01, 0x00, 0x00, 0x00}
	b := Vector(v)
	if !bytes.Equal(b, want) {
		t.Errorf("Vector(%v) = % x, want % x", v, b, want)
	}
	back, err := DecodeVector(b)
	if err != nil {
		t.Fatal(err)
	}
	for i := range v {
		if math.Float32bits(back[i]) != math.Float32bits(v[i]) {
			t.Errorf("decoded[%d] = %v, want %v", i, back[i], v[i])
		}
	}
	if _, err := DecodeVector([]byte{1, 2, 3}); err == nil {
		t.Error("DecodeVector took 3 bytes")
	}
	if got, err := DecodeVector(nil); err != nil || len(got) != 0 {
		t.Errorf("DecodeVector(nil) = %v, %v; want an empty vector", got, err)
	}
}

func TestVectorStoreStatus(t *testing.T) {
	for _, c := range []struct {
		pending, failed int
		want            string
	}{
		{0, 0, store.VectorStoreReady},
		{1, 0, store.VectorStoreIndexing},
		{1, 1, store.VectorStoreIndexing},
		{0, 1, store.VectorStoreError},
	} {
		if got := VectorStoreStatus(c.pending, c.failed); got != c.want {
			t.Errorf("VectorStoreStatus(%d, %d) = %q, want %q", c.pending, c.failed, got, c.want)
		}
	}
}

func TestKnowledgeUUIDs(t *testing.T) {
	d, err := Document(store.Document{Name: "a", MIMEType: "text/plain", SHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^file-[0-9A-Za-z]{24}$`).MatchString(d.UUID) {
		t.Errorf("document UUID %q", d.UUID)
	}
	v, err := VectorStore(store.VectorStore{})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^vs_[0-9A-Za-z]{24}$`).MatchString(v.UUID) {
		t.Errorf("vector store UUID %q", v.UUID)
	}
}

func TestSourcesNil(t *testing.T) {
	arg, err := Sources(nil)
	if err != nil || arg != nil {
		t.Errorf("Sources(nil) = %v, %v; want nil (NULL)", arg, err)
	}
	back, err := DecodeSources(nil)
	if err != nil || back != nil {
		t.Errorf("DecodeSources(NULL) = %#v, %v; want nil", back, err)
	}
}
