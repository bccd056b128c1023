package worken_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/knowledge"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/server/worken"
	parleyworker "github.com/parleyhq/parley/worker"
)

// file is OpenAI's file object as the tests read it.
type file struct {
	ID        string
	Object    string
	Bytes     int64
	CreatedAt int64 `json:"created_at"`
	Filename  string
	Purpose   string
	Status    string
}

type vectorStore struct {
	ID         string
	Object     string
	Name       string
	FileCount  int `json:"file_count"`
	Status     string
	CreatedAt  string `json:"created_at"`
	FileCounts struct {
		InProgress, Completed, Failed, Cancelled, Total int
	} `json:"file_counts"`
	UsageBytes int64 `json:"usage_bytes"`
}

type storeFile struct {
	ID            string
	Object        string
	Filename      string
	Status        string
	CreatedAt     string                          `json:"created_at"`
	VectorStoreID string                          `json:"vector_store_id"`
	UsageBytes    int64                           `json:"usage_bytes"`
	LastError     *struct{ Code, Message string } `json:"last_error"`
}

type list[T any] struct {
	Object  string
	Data    []T
	FirstID *string `json:"first_id"`
	LastID  *string `json:"last_id"`
	HasMore bool    `json:"has_more"`
}

type deleted struct {
	ID      string
	Object  string
	Deleted bool
}

type apiError struct {
	Error struct{ Message, Type, Code, Param string }
}

func newEnv(t *testing.T) *servertest.Env {
	t.Helper()
	return servertest.New(t, worken.Dialect)
}

// upload posts a file to /files as multipart form data; purpose "" sends
// no purpose field.
func upload(t *testing.T, e *servertest.Env, auth, name, contentType string, content []byte, purpose string) *servertest.Response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if purpose != "" {
		_ = w.WriteField("purpose", purpose)
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, name))
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	part, _ := w.CreatePart(h)
	_, _ = part.Write(content)
	_ = w.Close()
	return send(t, e, "POST", "/files", auth, w.FormDataContentType(), body.Bytes(), nil)
}

// send makes a request with a body of the given type and extra headers.
func send(t *testing.T, e *servertest.Env, method, path, auth, contentType string, body []byte, header map[string]string) *servertest.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, e.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &servertest.Response{Status: resp.StatusCode, Header: resp.Header, Body: data}
}

// uploadText uploads a text file as project p and returns its object.
func uploadText(t *testing.T, e *servertest.Env, p servertest.Project, name, text string) file {
	t.Helper()
	r := upload(t, e, p.Bearer(), name, "text/plain", []byte(text), "assistants")
	var f file
	ok(t, r, &f)
	return f
}

// createStore creates a vector store as project p.
func createStore(t *testing.T, e *servertest.Env, p servertest.Project, body map[string]any) vectorStore {
	t.Helper()
	var vs vectorStore
	ok(t, e.Do("POST", "/vector_stores", p.Bearer(), body), &vs)
	return vs
}

// ok checks that r is a 200 and decodes it into v.
func ok(t *testing.T, r *servertest.Response, v any) {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", r.Status, r.Body)
	}
	r.JSON(t, v)
}

// wantError checks an error answer: its status, OpenAI's shape with the
// code of the status, and a message that says each of says.
func wantError(t *testing.T, r *servertest.Response, status int, says ...string) apiError {
	t.Helper()
	var e apiError
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	r.JSON(t, &e)
	if e.Error.Message == "" || e.Error.Type == "" || e.Error.Code == "" {
		t.Errorf("error body %s lacks message, type or code", r.Body)
	}
	for _, s := range says {
		if !strings.Contains(e.Error.Message, s) {
			t.Errorf("message %q does not say %q", e.Error.Message, s)
		}
	}
	return e
}

// waitFile polls a store's file until its status is not pending.
func waitFile(t *testing.T, e *servertest.Env, p servertest.Project, storeID, fileID string) storeFile {
	t.Helper()
	var f storeFile
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		ok(t, e.Do("GET", "/vector_stores/"+storeID+"/files/"+fileID, p.Bearer(), nil), &f)
		if f.Status != "pending" {
			return f
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("file %s of %s still pending after 30s; %s", fileID, storeID, indexing(t, e, p, storeID, fileID))
	return f
}

// indexing describes the workflow indexing a file: whether its activity
// ran, how often, and its last failure.
func indexing(t *testing.T, e *servertest.Env, p servertest.Project, storeID, fileID string) string {
	f, err := e.Store.VectorStoreFile(t.Context(), p.ID, storeID, fileID)
	if err != nil {
		return fmt.Sprintf("reading the file: %v", err)
	}
	id := parleyworker.IndexWorkflowID(knowledge.Job{ProjectID: p.ID, StoreUUID: storeID, DocumentUUID: fileID, Added: f.CreatedAt.UnixMilli()})
	d, err := e.Temporal.DescribeWorkflowExecution(t.Context(), id, "")
	if err != nil {
		return fmt.Sprintf("describing workflow %s: %v", id, err)
	}
	out := fmt.Sprintf("workflow %s is %s", id, d.WorkflowExecutionInfo.GetStatus())
	for _, a := range d.PendingActivities {
		out += fmt.Sprintf("; activity %s %s, attempt %d, last failure %q", a.ActivityType.GetName(), a.State, a.Attempt, a.LastFailure.GetMessage())
	}
	return out
}
