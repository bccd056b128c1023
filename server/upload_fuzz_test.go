package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"mime/multipart"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/parleyhq/parley/blobs"
	"github.com/parleyhq/parley/store"
)

// fuzzUploadLimit is small so that fuzzed bodies reach it.
const fuzzUploadLimit = 64

// FuzzReadUpload feeds arbitrary Content-Type headers and bodies to
// ReadUpload. It never panics; bad input is EMALFORMED or ETOOLARGE, never
// a 5xx; an accepted file is at most the limit and stored with the size
// and SHA-256 the document claims.
func FuzzReadUpload(f *testing.F) {
	for _, seed := range fuzzUploadSeeds(f) {
		f.Add(seed[0], []byte(seed[1]))
	}
	gin.SetMode(gin.TestMode)
	d := Deps{Files: blobs.Dir(f.TempDir()), MaxUpload: fuzzUploadLimit}
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest("POST", "/files", bytes.NewReader(body))
		c.Request.Header.Set("Content-Type", contentType)
		var purpose string
		doc, err := d.ReadUpload(c, map[string]*string{"purpose": &purpose}, `a file in the field "file"`)
		if err != nil {
			if code := store.ErrorCode(err); code != store.EMALFORMED && code != store.ETOOLARGE {
				t.Fatalf("code %s (status %d) for bad input: %v", code, Status(err), err)
			}
			if doc != nil {
				t.Fatalf("a document with an error: %+v", doc)
			}
			return
		}
		if doc.Size < 0 || doc.Size > fuzzUploadLimit || doc.Name == "" || len(purpose) > maxFormField {
			t.Fatalf("document %+v, purpose of %d bytes", doc, len(purpose))
		}
		if _, _, err := mime.ParseMediaType(doc.MIMEType); err != nil {
			t.Fatalf("MIME type %q: %v", doc.MIMEType, err)
		}
		stored, err := os.ReadFile(string(d.Files) + "/" + doc.SHA256[:2] + "/" + doc.SHA256)
		sum := sha256.Sum256(stored)
		if err != nil || int64(len(stored)) != doc.Size || hex.EncodeToString(sum[:]) != doc.SHA256 {
			t.Fatalf("document %+v; blob of %d bytes, %v", doc, len(stored), err)
		}
	})
}

// fuzzUploadSeeds are forms a client sends, well and badly: a file with a
// field, one over the limit, no file, a long field, a truncated body and
// headers that are not a form.
func fuzzUploadSeeds(f *testing.F) [][2]string {
	form := func(parts ...[3]string) [2]string { // field name, file name, content
		var b bytes.Buffer
		w := multipart.NewWriter(&b)
		if err := w.SetBoundary("fuzzboundary"); err != nil {
			f.Fatal(err)
		}
		for _, p := range parts {
			var pw interface{ Write([]byte) (int, error) }
			var err error
			if p[1] != "" {
				pw, err = w.CreateFormFile(p[0], p[1])
			} else {
				pw, err = w.CreateFormField(p[0])
			}
			if err == nil {
				_, err = pw.Write([]byte(p[2]))
			}
			if err != nil {
				f.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			f.Fatal(err)
		}
		return [2]string{w.FormDataContentType(), b.String()}
	}
	ok := form([3]string{"purpose", "", " assistants "}, [3]string{"file", "notes.txt", "hello, parley"})
	return [][2]string{
		ok,
		form([3]string{"file", "big.bin", strings.Repeat("x", fuzzUploadLimit+1)}),
		form([3]string{"purpose", "", "assistants"}),
		form([3]string{"purpose", "", strings.Repeat("p", 2000)}, [3]string{"file", "../../etc/passwd", ""}),
		form([3]string{"file", "a.txt", "one"}, [3]string{"file", "b.txt", "two"}),
		{ok[0], ok[1][:len(ok[1])-20]},
		{"multipart/form-data", ok[1]},
		{"multipart/mixed; boundary=fuzzboundary", ok[1]},
		{"text/plain", "hello"},
		{"multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\nContent-Type: ;;;\r\n\r\nabc\r\n--b--\r\n"},
	}
}
