package blobs

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPutAndOpen(t *testing.T) {
	d := Dir(t.TempDir())
	content := "hello, parley"
	sum, size, err := d.Put(strings.NewReader(content), 100)
	want := sha256.Sum256([]byte(content))
	if err != nil || sum != hex.EncodeToString(want[:]) || size != int64(len(content)) {
		t.Fatalf("Put = %s, %d, %v", sum, size, err)
	}
	again, _, err := d.Put(strings.NewReader(content), 100)
	if err != nil || again != sum {
		t.Errorf("the same content stored as %s, %v", again, err)
	}
	f, err := d.Open(sum)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, _ := io.ReadAll(f); string(got) != content {
		t.Errorf("Open read %q", got)
	}
}

func TestPutRefusesTooLarge(t *testing.T) {
	root := t.TempDir()
	d := Dir(root)
	if _, _, err := d.Put(strings.NewReader(strings.Repeat("x", 11)), 10); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
	if _, _, err := d.Put(strings.NewReader(strings.Repeat("x", 10)), 10); err != nil {
		t.Errorf("exactly the limit: %v", err)
	}
	left, _ := os.ReadDir(filepath.Join(root, "tmp"))
	if len(left) != 0 {
		t.Errorf("temporary files left behind: %v", left)
	}
}

func TestOpenRefusesPaths(t *testing.T) {
	d := Dir(t.TempDir())
	for _, bad := range []string{"../../etc/passwd", "", "ab", strings.Repeat("g", 64)} {
		if _, err := d.Open(bad); err == nil {
			t.Errorf("Open(%q) did not fail", bad)
		}
	}
}

// TestPutTellsReadFromWriteErrors: a reader that fails is a *ReadError (the
// client's); a directory that cannot be written to is another error (the
// server's), and neither leaves a file behind.
func TestPutTellsReadFromWriteErrors(t *testing.T) {
	d := Dir(t.TempDir())
	cut := errors.New("connection reset")
	_, _, err := d.Put(io.MultiReader(strings.NewReader("half"), iotestErr{cut}), 1<<20)
	var re *ReadError
	if !errors.As(err, &re) || !errors.Is(err, cut) {
		t.Errorf("a failing reader: %v, want a *ReadError wrapping it", err)
	}
	if left, _ := os.ReadDir(filepath.Join(string(d), "tmp")); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, _, err = Dir(file).Put(strings.NewReader("data"), 1<<20)
	if err == nil || errors.As(err, &re) {
		t.Errorf("an unwritable directory: %v, want an error that is not a *ReadError", err)
	}
}

type iotestErr struct{ err error }

func (r iotestErr) Read([]byte) (int, error) { return 0, r.err }
