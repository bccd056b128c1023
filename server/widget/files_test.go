package widget_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strings"
	"testing"

	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/server/widget"
)

// pngBytes starts like a PNG, so type sniffing sees image/png.
var pngBytes = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 100)...)

// form is a multipart body: the text field first when there is one, then
// the file (no file when name is "").
func form(text, name, contentType string, content []byte) (body []byte, formType string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	if text != "" {
		_ = w.WriteField("text", text)
	}
	if name != "" {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, name))
		if contentType != "" {
			h.Set("Content-Type", contentType)
		}
		part, _ := w.CreatePart(h)
		_, _ = part.Write(content)
	}
	_ = w.Close()
	return b.Bytes(), w.FormDataContentType()
}

type widgetFile struct {
	ID       int64
	Name     string
	MIMEType string `json:"mime_type"`
	Size     int64
	URL      string
}

type message struct {
	Role, Text, Operator string
	Files                []widgetFile
}

// visitorEnv is a started dialog with servertest.DocsBot and a way to upload into it.
type visitorEnv struct {
	*servertest.Env
	t                   *testing.T
	id, token           string // the visitor's dialog
	otherID, otherToken string // another visitor's
}

func startDocs(t *testing.T) *visitorEnv {
	t.Helper()
	e, siteToken := newWidgetFor(t, "docs", servertest.DocsBot)
	var a, b turn
	e.DoWith("POST", "/widget/v1/dialogs", from(site, widget.SiteTokenHeader, siteToken), nil).JSON(t, &a)
	e.DoWith("POST", "/widget/v1/dialogs", from(site, widget.SiteTokenHeader, siteToken), nil).JSON(t, &b)
	if a.VisitorToken == "" || b.VisitorToken == "" || a.Messages[0].Text != "Upload a scan of your ID." {
		t.Fatalf("starting: %+v %+v", a, b)
	}
	return &visitorEnv{Env: e, t: t, id: a.ID, token: a.VisitorToken, otherID: b.ID, otherToken: b.VisitorToken}
}

// upload posts a form to a dialog's files as its visitor from origin.
func (v *visitorEnv) upload(origin, dialog, token string, body []byte, formType string) *servertest.Response {
	v.t.Helper()
	h := from(origin, widget.VisitorTokenHeader, token)
	h.Set("Content-Type", formType)
	return v.DoWith("POST", "/widget/v1/dialogs/"+dialog+"/files", h, body)
}

// path is the part of a file link after the server's address.
func (v *visitorEnv) path(link string) string {
	v.t.Helper()
	p, ok := strings.CutPrefix(link, v.URL)
	if !ok {
		v.t.Fatalf("the link %q is not on the server %s", link, v.URL)
	}
	return p
}

// TestWidgetUpload: the visitor answers a file question from the widget,
// as the native upload does: the answer links the file for the visitor,
// and a file too large, of a type the question does not take, or with no
// file at all is refused with the reason, as are another origin and
// another dialog's token.
func TestWidgetUpload(t *testing.T) {
	v := startDocs(t)
	errorCode := func(r *servertest.Response) string {
		var body struct {
			Error struct{ Code, Message string }
		}
		r.JSON(t, &body)
		if body.Error.Message == "" {
			t.Errorf("an error without a message: %s", r.Body)
		}
		return body.Error.Code
	}
	txt, txtType := form("", "notes.txt", "text/plain", []byte("just text"))
	big, bigType := form("", "big.png", "image/png", append(pngBytes, make([]byte, servertest.MaxUpload)...))
	none, noneType := form("only text", "", "", nil)
	png, pngType := form("", "id.png", "", pngBytes)
	for _, c := range []struct {
		name, origin, dialog, token string
		body                        []byte
		formType                    string
		want                        int
		code                        string
	}{
		{"a type the question does not take", site, v.id, v.token, txt, txtType, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE"},
		{"too large", site, v.id, v.token, big, bigType, http.StatusRequestEntityTooLarge, "FILE_TOO_LARGE"},
		{"no file", site, v.id, v.token, none, noneType, http.StatusBadRequest, "INVALID"},
		{"not a form", site, v.id, v.token, []byte(`{"text": "hi"}`), "application/json", http.StatusBadRequest, "INVALID"},
		{"another origin", "https://evil.example", v.id, v.token, png, pngType, http.StatusForbidden, "FORBIDDEN"},
		{"another dialog's token", site, v.id, v.otherToken, png, pngType, http.StatusUnauthorized, "UNAUTHORIZED"},
	} {
		r := v.upload(c.origin, c.dialog, c.token, c.body, c.formType)
		if r.Status != c.want {
			t.Errorf("%s: %d %s, want %d", c.name, r.Status, r.Body, c.want)
			continue
		}
		if got := errorCode(r); got != c.code {
			t.Errorf("%s: code %q, want %q", c.name, got, c.code)
		}
	}

	body, formType := form("Here is my ID.", "id.png", "", pngBytes)
	r := v.upload(site, v.id, v.token, body, formType)
	var answered struct {
		Messages []message
		File     widgetFile
	}
	r.JSON(t, &answered)
	if r.Status != http.StatusOK || len(answered.Messages) != 2 || answered.Messages[0].Text != "Got id.png." {
		t.Fatalf("uploading: %d %s", r.Status, r.Body)
	}
	f := answered.File
	wantLink := fmt.Sprintf("%s/widget/v1/dialogs/%s/files/%d?visitor_token=%s", v.URL, v.id, f.ID, url.QueryEscape(v.token))
	if f.Name != "id.png" || f.MIMEType != "image/png" || f.Size != int64(len(pngBytes)) || f.URL != wantLink {
		t.Errorf("the file: %+v, want its link %s", f, wantLink)
	}
	var all struct{ Messages []message }
	v.DoWith("GET", "/widget/v1/dialogs/"+v.id+"/messages", from(site, widget.VisitorTokenHeader, v.token), nil).JSON(t, &all)
	if len(all.Messages) != 4 || all.Messages[1].Role != "user" || all.Messages[1].Text != "Here is my ID." {
		t.Fatalf("the conversation: %+v", all.Messages)
	}
	// Read again later (a reload), the visitor's message still carries its file.
	if files := all.Messages[1].Files; len(files) != 1 || files[0].URL != wantLink || files[0].Name != "id.png" {
		t.Errorf("the visitor's message read back carries %+v, want the file at %s", files, wantLink)
	}
	// The dialog keeps the native API's link, never the visitor's token.
	var native struct {
		Variables struct{ Scan struct{ URL string } }
	}
	v.Do("GET", "/v1/dialogs/"+v.id, v.A.Bearer(), nil).JSON(t, &native)
	if want := fmt.Sprintf("%s/v1/files/%d", v.URL, f.ID); native.Variables.Scan.URL != want {
		t.Errorf("the variable's link %q, want %q", native.Variables.Scan.URL, want)
	}
}

// TestWidgetFileDownload: the visitor downloads their own upload and an
// operator's file by the links the widget's messages and events give,
// from a page of the channel's origin or with no origin at all (a link
// opened in a new tab); never another dialog's file, never from another
// origin, never without the token, and never from the native API.
func TestWidgetFileDownload(t *testing.T) {
	v := startDocs(t)
	body, formType := form("", "id.png", "image/png", pngBytes)
	var mine, theirs struct{ File widgetFile }
	v.upload(site, v.id, v.token, body, formType).JSON(t, &mine)
	v.upload(site, v.otherID, v.otherToken, body, formType).JSON(t, &theirs)
	if mine.File.ID == 0 || theirs.File.ID == 0 {
		t.Fatalf("uploads: %+v %+v", mine, theirs)
	}

	events := "/widget/v1/dialogs/" + v.id + "/events?visitor_token=" + url.QueryEscape(v.token)
	stream, stop := v.StreamWith(events, from(site))
	defer stop()
	pdf := []byte("%PDF-1.4 the form")
	attachment, attachmentType := form("", "form.pdf", "application/pdf", pdf)
	var attached struct{ ID int64 }
	r := v.DoWith("POST", "/v1/dialogs/"+v.id+"/attachments", http.Header{"Authorization": {v.A.Bearer()}, "Content-Type": {attachmentType}}, attachment)
	r.JSON(t, &attached)
	if r.Status != http.StatusCreated {
		t.Fatalf("attaching: %d %s", r.Status, r.Body)
	}
	op := map[string]any{"action": "message", "operator": "Kate", "text": "Fill this in, please.", "files": []int64{attached.ID}}
	if r := v.Do("POST", "/v1/dialogs/"+v.id+"/operator", v.A.Bearer(), op); r.Status != http.StatusOK {
		t.Fatalf("the operator's message: %d %s", r.Status, r.Body)
	}
	wantLink := fmt.Sprintf("%s/widget/v1/dialogs/%s/files/%d?visitor_token=%s", v.URL, v.id, attached.ID, url.QueryEscape(v.token))
	for {
		ev := servertest.NextEvent(t, stream)
		if ev.Event == "message.created" && strings.Contains(ev.Data, "Fill this in") {
			if !strings.Contains(ev.Data, `"url":"`+wantLink+`"`) {
				t.Errorf("the operator's message in the stream: %s, want the link %s", ev.Data, wantLink)
			}
			break
		}
	}
	var all struct{ Messages []message }
	v.DoWith("GET", "/widget/v1/dialogs/"+v.id+"/messages", from(site, widget.VisitorTokenHeader, v.token), nil).JSON(t, &all)
	last := all.Messages[len(all.Messages)-1]
	if last.Operator != "Kate" || len(last.Files) != 1 || last.Files[0].URL != wantLink || last.Files[0].MIMEType != "application/pdf" {
		t.Fatalf("the operator's message: %+v", last)
	}

	download := func(name, path string, header http.Header, want int, content []byte) {
		t.Helper()
		r := v.DoWith("GET", path, header, nil)
		if r.Status != want || want == http.StatusOK && !bytes.Equal(r.Body, content) {
			t.Errorf("%s: %d %.100s, want %d", name, r.Status, r.Body, want)
		}
	}
	minePath, pdfPath := v.path(mine.File.URL), v.path(last.Files[0].URL)
	download("their upload", minePath, from(site), http.StatusOK, pngBytes)
	download("the operator's file", pdfPath, from(site), http.StatusOK, pdf)
	download("a link opened in a new tab", minePath, nil, http.StatusOK, pngBytes)
	download("an image on the page", minePath, http.Header{"Referer": {site + "/shop/cart"}}, http.StatusOK, pngBytes)
	download("another origin", minePath, from("https://evil.example"), http.StatusForbidden, nil)
	download("another page", minePath, http.Header{"Referer": {"https://evil.example/"}}, http.StatusForbidden, nil)
	download("no token", "/widget/v1/dialogs/"+v.id+fmt.Sprintf("/files/%d", mine.File.ID), from(site), http.StatusUnauthorized, nil)
	download("another dialog's file", fmt.Sprintf("/widget/v1/dialogs/%s/files/%d?visitor_token=%s", v.id, theirs.File.ID, url.QueryEscape(v.token)),
		from(site), http.StatusNotFound, nil)
	download("another dialog's path", fmt.Sprintf("/widget/v1/dialogs/%s/files/%d?visitor_token=%s", v.otherID, theirs.File.ID, url.QueryEscape(v.token)),
		from(site), http.StatusUnauthorized, nil)
	download("the native API", fmt.Sprintf("/v1/files/%d?visitor_token=%s", mine.File.ID, url.QueryEscape(v.token)),
		from(site, widget.VisitorTokenHeader, v.token), http.StatusUnauthorized, nil)
	download("not a file id", "/widget/v1/dialogs/"+v.id+"/files/x?visitor_token="+url.QueryEscape(v.token), from(site), http.StatusBadRequest, nil)

	r = v.DoWith("GET", minePath, from(site), nil)
	if r.Header.Get("Content-Type") != "image/png" || !strings.Contains(r.Header.Get("Content-Disposition"), `filename=id.png`) {
		t.Errorf("the download's headers: %v", r.Header)
	}
}
