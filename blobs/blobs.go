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

// ReadError is Put's error of reading the content it was given (a client's
// upload cut off, or too slow), as opposed to one of storing it (the disk):
// the first is the client's to fix, the second the server's.
type ReadError struct{ Err error }

func (e *ReadError) Error() string { return "reading the upload: " + e.Err.Error() }
func (e *ReadError) Unwrap() error { return e.Err }

// source remembers its reader's error, for Put to tell it from a write's.
type source struct {
	r   io.Reader
	err error
}

func (s *source) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		s.err = err
	}
	return n, err
}

// Put stores r's content, at most limit bytes, and returns its SHA-256 (hex)
// and size. Content over the limit is ErrTooLarge and leaves nothing behind;
// an error reading r is a *ReadError.
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
	src := &source{r: io.LimitReader(r, limit+1)}
	n, err := io.Copy(io.MultiWriter(tmp, h), src)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if src.err != nil {
		return "", 0, &ReadError{src.err}
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
