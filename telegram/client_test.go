package telegram

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const testToken = "123:secret-token"

// sendDocument is a multipart form with a Content-Length (no chunked
// body), the caption, the buttons and the file's bytes, type and name.
func TestClientSendDocument(t *testing.T) {
	var got struct {
		path, chatID, caption, markup, name, typ, body string
		length                                         int64
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.path, got.length = r.URL.Path, r.ContentLength
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			t.Errorf("parsing the form: %v", err)
		}
		got.chatID, got.caption, got.markup = r.FormValue("chat_id"), r.FormValue("caption"), r.FormValue("reply_markup")
		f, h, err := r.FormFile("document")
		if err != nil {
			t.Fatalf("no document: %v", err)
		}
		b, _ := io.ReadAll(f)
		got.name, got.typ, got.body = h.Filename, h.Header.Get("Content-Type"), string(b)
		io.WriteString(w, `{"ok":true,"result":{"message_id":1}}`)
	}))
	defer srv.Close()
	c := &Client{BaseURL: srv.URL, Token: testToken}
	content := "%PDF-1.4 hello"
	up := Upload{Name: "a \"b\".pdf", MIMEType: "application/pdf", Size: int64(len(content)), Body: strings.NewReader(content)}
	if err := c.SendDocument(t.Context(), "42", "Here", up, Keyboard([]string{"OK"})); err != nil {
		t.Fatal(err)
	}
	if got.path != "/bot"+testToken+"/sendDocument" || got.length <= int64(len(content)) {
		t.Errorf("path %s, Content-Length %d", got.path, got.length)
	}
	var k InlineKeyboardMarkup
	if err := json.Unmarshal([]byte(got.markup), &k); err != nil || k.InlineKeyboard[0][0].Text != "OK" {
		t.Errorf("reply_markup %q", got.markup)
	}
	if got.chatID != "42" || got.caption != "Here" || got.name != `a "b".pdf` || got.typ != "application/pdf" || got.body != content {
		t.Errorf("the form: %+v", got)
	}
}

// A file is downloaded from /file/bot<token>/<path>; a failure names
// neither the token nor the URL.
func TestClientDownload(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/file/bot"+testToken+"/documents/file_1.pdf" {
			io.WriteString(w, "bytes")
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	c := &Client{BaseURL: srv.URL + "/", Token: testToken}
	body, err := c.Download(t.Context(), "documents/file_1.pdf")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(body)
	body.Close()
	if string(b) != "bytes" {
		t.Errorf("downloaded %q", b)
	}
	_, err = c.Download(t.Context(), "documents/gone.pdf")
	if err == nil || strings.Contains(err.Error(), "secret-token") {
		t.Errorf("a missing file: %v", err)
	}
	srv.Close()
	_, err = c.Download(t.Context(), "documents/file_1.pdf")
	if err == nil || strings.Contains(err.Error(), "secret-token") {
		t.Errorf("a server gone: %v", err)
	}
}

// A message's file is its document, or its photo's largest size, with
// the type Telegram sends photos and voice notes in.
func TestMessageMedia(t *testing.T) {
	for _, tc := range []struct {
		name, json, wantID, wantType string
	}{
		{"document", `{"document":{"file_id":"d","file_name":"a.pdf","mime_type":"application/pdf"}}`, "d", ""},
		{"largest photo", `{"photo":[{"file_id":"s","width":90,"height":90},{"file_id":"l","width":800,"height":600},{"file_id":"m","width":320,"height":240}]}`, "l", "image/jpeg"},
		{"voice", `{"voice":{"file_id":"v","duration":1}}`, "v", "audio/ogg"},
		{"video", `{"video":{"file_id":"x","mime_type":"video/mp4"}}`, "x", ""},
		{"text", `{"text":"hi"}`, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m Message
			if err := json.Unmarshal([]byte(tc.json), &m); err != nil {
				t.Fatal(err)
			}
			got, typ := m.Media()
			id := ""
			if got != nil {
				id = got.FileID
			}
			if id != tc.wantID || typ != tc.wantType {
				t.Errorf("got %q %q, want %q %q", id, typ, tc.wantID, tc.wantType)
			}
		})
	}
}
