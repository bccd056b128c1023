// Package blobs keeps uploaded files on disk, named by the SHA-256 of their
// content, so the same bytes are stored once.
package blobs

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
)

// Dir is the root directory of the blobs.
type Dir string

// ErrTooLarge is returned by Put for content over the limit.
var ErrTooLarge = errors.New("blobs: content over the size limit")

var shaPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Put stores r's content, at most limit bytes, and returns its SHA-256 (hex)
// and size. Content over the limit is ErrTooLarge and leaves nothing behind.
func (d Dir) Put(r io.Reader, limit int64) (string, int64, error) {
	tmpDir := filepath.Join(string(d), "tmp")
	if err := os.MkdirAll(tmpDir, 0o755); err != nil {
		return "", 0, err
	}
	tmp, err := os.CreateTemp(tmpDir, "upload-*")
	if err != nil {
		return "", 0, err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, limit+1))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", 0, fmt.Errorf("storing an upload: %w", err)
	}
	if n > limit {
		return "", 0, ErrTooLarge
	}
	sum := hex.EncodeToString(h.Sum(nil))
	path := d.path(sum)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", 0, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", 0, fmt.Errorf("storing an upload: %w", err)
	}
	return sum, n, nil
}

// Open opens the blob with the given SHA-256.
func (d Dir) Open(sum string) (*os.File, error) {
	if !shaPattern.MatchString(sum) {
		return nil, fmt.Errorf("blobs: %q is not a SHA-256", sum)
	}
	return os.Open(d.path(sum))
}

// path spreads blobs over 256 folders by their first two hex digits.
func (d Dir) path(sum string) string {
	return filepath.Join(string(d), sum[:2], sum)
}
