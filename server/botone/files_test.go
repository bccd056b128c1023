package botone_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"

	"github.com/parleyhq/parley/server/servertest"
)

const docsBot = `bot: docs
variables:
  scan: { type: object }
nodes:
  ask_scan:
    kind: question
    text: Upload a scan of your ID.
    input: { type: file, accept: [image/*, application/pdf] }
    save: scan
    invalid: A picture or a PDF, please.
    next: thanks
  thanks:
    kind: end
    text: "Got {{ scan.name }}."
`

// pngBytes starts like a PNG, so type sniffing sees image/png.
var pngBytes = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 100)...)

// upload posts one file as multipart form data.
func upload(t *testing.T, e *botEnv, dialog, name, contentType string, content []byte) (int, []byte) {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, name))
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	part, _ := w.CreatePart(h)
	_, _ = part.Write(content)
	_ = w.Close()
	req, _ := http.NewRequestWithContext(t.Context(), "POST", e.URL+"/v1/dialogs/"+dialog+"/files", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", e.A.Bearer())
	req.Host = "attacker.example" // links come from the server's public URL, never from Host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, data
}

func TestFileQuestionUploadAndDownload(t *testing.T) {
	e := newBotEnv(t)
	var pub struct {
		BotID int64 `json:"bot_id"`
	}
	e.Do("PUT", "/v1/bots/docs/flow", e.A.Bearer(), docsBot).JSON(t, &pub)
	var started struct {
		DialogID   int64  `json:"dialogId"`
		DialogUUID string `json:"dialogUUID"`
	}
	e.Do("POST", fmt.Sprintf("/api/v2/dialog/%d/create?response=true", pub.BotID), e.A.Basic(), nil).JSON(t, &started)
	id := started.DialogUUID

	if status, body := upload(t, e, id, "notes.txt", "text/plain", []byte("just text")); status != http.StatusUnsupportedMediaType || !strings.Contains(string(body), "image/*, application/pdf") {
		t.Errorf("a text file: %d %s", status, body)
	}
	if f, err := e.Store.File(t.Context(), e.A.ID, 1); err == nil {
		t.Errorf("the refused upload left its record: %+v", f)
	}
	if status, body := upload(t, e, id, "huge.png", "image/png", bytes.Repeat([]byte{1}, servertest.MaxUpload+1)); status != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "FILE_TOO_LARGE") {
		t.Errorf("a file over the limit: %d %s", status, body)
	}
	status, body := upload(t, e, id, "passport scan.png", "", pngBytes)
	var turn struct {
		Messages []struct{ Text string }
		Status   string
		File     struct {
			ID   int64
			Name string
			Type string
			Size int64
			URL  string
		}
	}
	_ = json.Unmarshal(body, &turn)
	if status != 200 || turn.Status != "completed" || len(turn.Messages) != 1 || turn.Messages[0].Text != "Got passport scan.png." ||
		turn.File.Type != "image/png" || turn.File.Size != int64(len(pngBytes)) || turn.File.URL != fmt.Sprintf("%s/v1/files/%d", e.URL, turn.File.ID) {
		t.Fatalf("upload: %d %s", status, body)
	}

	for _, path := range []string{"/api/v1/file/%d", "/api/v2/file/%d", "/v1/files/%d"} {
		r := e.Do("GET", fmt.Sprintf(path, turn.File.ID), e.A.Basic(), nil)
		if r.Status != 200 || !bytes.Equal(r.Body, pngBytes) || r.Header.Get("Content-Type") != "image/png" ||
			r.Header.Get("Content-Disposition") != `attachment; filename="passport scan.png"` {
			t.Errorf("%s download: %d %v", path, r.Status, r.Header)
		}
	}
	for _, path := range []string{"/api/v2/file/%d", "/v1/files/%d"} {
		if r := e.Do("GET", fmt.Sprintf(path, turn.File.ID), e.B.Basic(), nil); r.Status != 404 {
			t.Errorf("another project's file at %s: %d", path, r.Status)
		}
	}
	if r := e.Do("GET", "/api/v1/file/999999", e.A.Basic(), nil); r.Status != 404 {
		t.Errorf("unknown file: %d", r.Status)
	}
	if r := e.Do("GET", fmt.Sprintf("/api/v1/file/%d", turn.File.ID), "", nil); r.Status != 401 {
		t.Errorf("no credentials: %d", r.Status)
	}
	var conv map[string]any
	e.Do("GET", fmt.Sprintf("/api/v1/conversation/%d", started.DialogID), e.A.Basic(), nil).JSON(t, &conv)
	data, _ := conv["data"].([]any)
	if len(data) != 1 || data[0].(map[string]any)["answer"] != turn.File.URL || data[0].(map[string]any)["type"] != "file" {
		t.Errorf("collected data: %v", conv["data"])
	}
}
