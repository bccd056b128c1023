package native_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"testing"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
)

// attach uploads a file into a dialog for an operator's message.
func attach(t *testing.T, e *servertest.Env, dialog, name string, content []byte) *servertest.Response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, _ := w.CreateFormFile("file", name)
	_, _ = part.Write(content)
	_ = w.Close()
	h := http.Header{"Authorization": {e.A.Bearer()}, "Content-Type": {w.FormDataContentType()}}
	return e.DoWith("POST", "/v1/dialogs/"+dialog+"/attachments", h, body.Bytes())
}

type attachmentView struct {
	ID         int64
	Name, Type string
	Size       int64
	Path       string
}

func TestOperatorSendsFiles(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	id, other := startDesk(t, e), startDesk(t, e)
	pdf := []byte("%PDF-1.4 the refund form")
	r := attach(t, e, id, "form.pdf", pdf)
	var file struct {
		ID   int64
		Name string
		Type string
		Size int64
		URL  string
	}
	r.JSON(t, &file)
	if r.Status != http.StatusCreated || file.Name != "form.pdf" || file.Type != "application/pdf" || file.Size != int64(len(pdf)) {
		t.Fatalf("attaching: %d %s", r.Status, r.Body)
	}
	var otherFile struct{ ID int64 }
	attach(t, e, other, "x.txt", []byte("x")).JSON(t, &otherFile)

	var tr struct {
		Messages []struct {
			Role, Text string
			Files      []attachmentView
		}
	}
	r = e.Do("POST", "/v1/dialogs/"+id+"/operator", e.A.Bearer(), map[string]any{"action": "message", "operator": "Kate",
		"text": "Fill this in, please.", "files": []int64{file.ID}})
	if r.Status != http.StatusOK {
		t.Fatalf("message with a file: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &tr)
	want := attachmentView{ID: file.ID, Name: "form.pdf", Type: "application/pdf", Size: int64(len(pdf)), Path: fmt.Sprintf("/v1/files/%d", file.ID)}
	if n := len(tr.Messages); n == 0 || len(tr.Messages[n-1].Files) != 1 || tr.Messages[n-1].Files[0] != want {
		t.Fatalf("the operator's message = %+v, want it with %+v", tr.Messages, want)
	}
	// The dialog keeps it, and the path downloads it.
	var view struct {
		Messages []struct{ Files []attachmentView }
	}
	e.Do("GET", "/v1/dialogs/"+id, e.A.Bearer(), nil).JSON(t, &view)
	if last := view.Messages[len(view.Messages)-1]; len(last.Files) != 1 || last.Files[0] != want {
		t.Errorf("stored message files = %+v", last.Files)
	}
	if r := e.Do("GET", want.Path, e.A.Bearer(), nil); r.Status != http.StatusOK || !bytes.Equal(r.Body, pdf) {
		t.Errorf("downloading %s: %d %q", want.Path, r.Status, r.Body)
	}

	// A scheduled message lists its files until it is sent.
	var scheduled struct {
		Scheduled []struct{ Files []attachmentView }
	}
	e.Do("POST", "/v1/dialogs/"+id+"/operator", e.A.Bearer(), map[string]any{"action": "message", "text": "Later.",
		"files": []int64{file.ID}, "scheduled_at": "2099-01-01T00:00:00Z"})
	e.Do("GET", "/v1/dialogs/"+id, e.A.Bearer(), nil).JSON(t, &scheduled)
	if len(scheduled.Scheduled) != 1 || len(scheduled.Scheduled[0].Files) != 1 || scheduled.Scheduled[0].Files[0] != want {
		t.Errorf("scheduled = %+v", scheduled.Scheduled)
	}

	for _, files := range [][]int64{{otherFile.ID}, {999_999}, make([]int64, 11)} {
		r := e.Do("POST", "/v1/dialogs/"+id+"/operator", e.A.Bearer(), map[string]any{"action": "message", "text": "Hi", "files": files})
		if r.Status != http.StatusBadRequest {
			t.Errorf("files %v: %d %s, want 400", files, r.Status, r.Body)
		}
	}
	if r := e.DoWith("POST", "/v1/dialogs/"+id+"/attachments", http.Header{"Authorization": {e.A.Bearer()}}, []byte("{}")); r.Status != http.StatusBadRequest {
		t.Errorf("an attachment without a form: %d %s, want 400", r.Status, r.Body)
	}
}

// menuBot's first message sends two files by address, one named by the
// flow, one by its URL.
const menuBot = `bot: menu
variables:
  city: { type: string, default: oslo }
nodes:
  hello:
    kind: message
    text: Our menu and a map.
    attachments:
      - { url: "https://example.com/files/menu.pdf?v=2" }
      - { url: "https://example.com/maps/{{ city }}.png", type: image, name: Map }
    next: ask
  ask:
    kind: question
    text: Anything else?
`

// TestFlowAttachments: a message node's attachments are on the message
// the dialog records, with their rendered addresses, names and kinds (they
// were dropped before).
func TestFlowAttachments(t *testing.T) {
	e := servertest.New(t, native.Dialect)
	if r := e.Do("PUT", "/v1/bots/menu/flow", e.A.Bearer(), menuBot); r.Status != http.StatusOK {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	var created struct {
		Messages []struct {
			Text  string
			Files []struct {
				Name, Path, URL, Kind string
				ID                    int64
			}
		}
	}
	e.Do("POST", "/v1/bots/menu/dialogs", e.A.Bearer(), nil).JSON(t, &created)
	if len(created.Messages) != 2 || created.Messages[0].Text != "Our menu and a map." {
		t.Fatalf("first turn %+v", created.Messages)
	}
	got := fmt.Sprintf("%+v", created.Messages[0].Files)
	want := "[{Name:menu.pdf Path:https://example.com/files/menu.pdf?v=2 URL:https://example.com/files/menu.pdf?v=2 Kind:file ID:0}" +
		" {Name:Map Path:https://example.com/maps/oslo.png URL:https://example.com/maps/oslo.png Kind:image ID:0}]"
	if got != want {
		t.Errorf("files\n%s\nwant\n%s", got, want)
	}
}
