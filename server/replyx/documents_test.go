package replyx_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/llm"
	"github.com/parleyhq/parley/llm/llmtest"
	"github.com/parleyhq/parley/server/replyx"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
)

type documentView struct {
	ID          int64
	Filename    string
	Size        int64
	ContentType string `json:"content_type"`
	Status      string
	ChunksCount int   `json:"chunks_count"`
	AssistantID int64 `json:"assistant_id"`
}

// uploadDocument posts the document's form: the file and assistant_id.
func uploadDocument(t *testing.T, e *servertest.Env, auth, assistantID, name, contentType string, content []byte) *servertest.Response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, err := w.CreatePart(textproto.MIMEHeader{"Content-Disposition": {fmt.Sprintf(`form-data; name="file"; filename=%q`, name)},
		"Content-Type": {contentType}})
	if err != nil {
		t.Fatal(err)
	}
	part.Write(content)
	if assistantID != "" {
		w.WriteField("assistant_id", assistantID)
	}
	w.Close()
	return e.DoWith("POST", "/api/documents/upload", http.Header{"Authorization": {auth}, "Content-Type": {w.FormDataContentType()}}, body.Bytes())
}

// assistantDialog starts a dialog with project A's assistant.
func assistantDialog(t *testing.T, e *servertest.Env, assistantID int64) *store.Dialog {
	t.Helper()
	b, err := e.Store.BotByID(t.Context(), e.A.ID, assistantID)
	if err != nil {
		t.Fatal(err)
	}
	d, _, err := e.Dialogs.Create(t.Context(), e.A.ID, b.Slug, dialogs.CreateInput{Start: true, Source: "api"})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDocuments: a document uploaded to an assistant, as the document's
// example does, is indexed to completed with its chunks, and the
// assistant's model answers from it; unreadable and oversized files,
// other projects' assistants and deletion.
func TestDocuments(t *testing.T) {
	model := llmtest.New(t)
	e := servertest.NewWith(t, servertest.Options{LLM: llm.NewOpenAI(model.URL(), "")}, replyx.Dialect)
	key := e.A.Bearer()
	var a assistantView
	e.Do("POST", "/api/assistants", key, map[string]any{"name": "Мой бот", "system_prompt": "Ты дружелюбный помощник"}).JSON(t, &a)
	id := fmt.Sprint(a.ID)

	const policy = "# Refunds\n\nOur refund policy: goods come back within thirty days, no questions asked.\n"
	var doc documentView
	r := uploadDocument(t, e, key, id, "refunds.md", "text/markdown", []byte(policy))
	r.JSON(t, &doc)
	if r.Status != http.StatusOK || doc.ID == 0 || doc.Filename != "refunds.md" || doc.Size != int64(len(policy)) ||
		doc.AssistantID != a.ID || (doc.Status != "processing" && doc.Status != "completed") {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	deadline := time.Now().Add(30 * time.Second)
	for doc.Status != "completed" {
		if time.Now().After(deadline) {
			t.Fatalf("the document never completed: %+v", doc)
		}
		time.Sleep(50 * time.Millisecond)
		var list []documentView
		e.Do("GET", "/api/documents?assistant_id="+id, key, nil).JSON(t, &list)
		if len(list) != 1 {
			t.Fatalf("documents: %+v", list)
		}
		doc = list[0]
	}
	if doc.ChunksCount < 1 {
		t.Errorf("completed without chunks: %+v", doc)
	}

	model.Reply("Thirty days.")
	ctx := t.Context()
	d := assistantDialog(t, e, a.ID)
	if _, err := e.Dialogs.SendMessage(ctx, d, dialogs.Message{Text: "What is your refund policy?"}); err != nil {
		t.Fatal(err)
	}
	reqs := model.Requests()
	if len(reqs) == 0 || !strings.Contains(fmt.Sprint(reqs[len(reqs)-1].Messages), "thirty days") {
		t.Errorf("the model was not given the document: %+v", reqs)
	}

	t.Run("files it cannot take", func(t *testing.T) {
		png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
		wantError(t, uploadDocument(t, e, key, id, "photo.png", "image/png", png), http.StatusUnsupportedMediaType, "UNSUPPORTED_FORMAT", "file")
		big := bytes.Repeat([]byte("a"), servertest.MaxUpload+1)
		wantError(t, uploadDocument(t, e, key, id, "big.txt", "text/plain", big), http.StatusRequestEntityTooLarge, "FILE_TOO_LARGE", "file")
		wantError(t, uploadDocument(t, e, key, "", "a.txt", "text/plain", []byte("a")), http.StatusUnprocessableEntity, "VALIDATION_ERROR", "assistant_id")
		wantError(t, uploadDocument(t, e, e.B.Bearer(), id, "a.txt", "text/plain", []byte("a")), http.StatusNotFound, "NOT_FOUND", "")
		wantError(t, e.DoWith("POST", "/api/documents/upload", http.Header{"Authorization": {key}}, map[string]any{"file": "x"}),
			http.StatusBadRequest, "BAD_REQUEST", "")
	})

	// A project's file in no assistant's knowledge base (a Worken upload)
	// is no ReplyX document.
	other := &store.Document{ProjectID: e.A.ID, Name: "notes.txt", MIMEType: "text/plain", Size: 1, SHA256: strings.Repeat("0", 64), Purpose: "assistants"}
	if err := e.Store.CreateDocument(ctx, other); err != nil {
		t.Fatal(err)
	}
	wantError(t, e.Do("DELETE", fmt.Sprintf("/api/documents/%d", other.ID), key, nil), http.StatusNotFound, "NOT_FOUND", "")
	if _, err := e.Store.Document(ctx, e.A.ID, other.UUID); err != nil {
		t.Errorf("another file was deleted: %v", err)
	}

	path := fmt.Sprintf("/api/documents/%d", doc.ID)
	wantError(t, e.Do("DELETE", path, e.B.Bearer(), nil), http.StatusNotFound, "NOT_FOUND", "")
	if r := e.Do("DELETE", path, key, nil); r.Status != http.StatusOK {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	var list []documentView
	e.Do("GET", "/api/documents", key, nil).JSON(t, &list)
	if len(list) != 0 {
		t.Errorf("after delete: %+v", list)
	}
	wantError(t, e.Do("DELETE", path, key, nil), http.StatusNotFound, "NOT_FOUND", "")
}
