package web_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/parleyhq/parley/server/native"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/server/widget"
)

// inWidget runs JavaScript against the widget's shadow root, bound to w.
func inWidget(js string) string {
	return `(() => { const w = document.querySelector('[data-parley-widget]').shadowRoot; ` + js + ` })()`
}

// waitInWidget waits until the widget's chat log holds text.
func waitInWidget(t *testing.T, ctx context.Context, text string) {
	t.Helper()
	check := chromedp.Evaluate[bool](inWidget(fmt.Sprintf(`return !!w && w.querySelector('.log').textContent.includes(%q)`, text)))
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if ok, err := chromedp.Run(ctx, check); err == nil && ok {
			return
		}
	}
	log, _ := chromedp.Run(ctx, chromedp.Evaluate[string](inWidget(`return w ? w.querySelector('.log').textContent + ' | ' + w.querySelector('.error').textContent : 'no widget'`)))
	t.Fatalf("the widget never showed %q; it shows %q", text, log)
}

// widgetChannel publishes the bot slug with the flow source in project A
// and returns the site token of a widget channel for the test server's
// own pages (the demo page).
func widgetChannel(t *testing.T, e *servertest.Env, slug, source string) string {
	t.Helper()
	if r := e.Do("PUT", "/v1/bots/"+slug+"/flow", e.A.Bearer(), source); r.Status != http.StatusOK {
		t.Fatalf("publish: %d %s", r.Status, r.Body)
	}
	u, _ := url.Parse(e.URL)
	r := e.Do("POST", "/v1/bots/"+slug+"/channels", e.A.Bearer(), map[string]any{"kind": "widget", "allowed_origins": []string{u.Scheme + "://" + u.Host}})
	var ch struct {
		SiteToken string `json:"site_token"`
	}
	r.JSON(t, &ch)
	if r.Status != http.StatusCreated {
		t.Fatalf("channel: %d %s", r.Status, r.Body)
	}
	return ch.SiteToken
}

// TestWidgetInBrowser: the widget on a page of an allowed origin opens,
// starts a dialog, shows the bot's words, sends the visitor's, and shows
// an operator's message as it is written, through its event stream.
func TestWidgetInBrowser(t *testing.T) {
	ctx := browser(t)
	e := servertest.New(t, native.Dialect, widget.Dialect)
	siteToken := widgetChannel(t, e, "greeter", servertest.GreeterBot)

	run(t, ctx, "opening the demo page", chromedp.Navigate(e.URL+"/ui/widget-demo?bot=greeter&token="+url.QueryEscape(siteToken)))
	openWidget(t, ctx)
	waitInWidget(t, ctx, "Your name?")
	say(t, ctx, "Ann")
	waitInWidget(t, ctx, "Hello, Ann!")

	var list struct{ Dialogs []struct{ ID string } }
	e.Do("GET", "/v1/dialogs?bot=greeter", e.A.Bearer(), nil).JSON(t, &list)
	if len(list.Dialogs) != 1 {
		t.Fatalf("dialogs: %+v", list.Dialogs)
	}
	op := map[string]any{"action": "message", "operator": "Kate", "text": "Kate here, can I help?"}
	if r := e.Do("POST", "/v1/dialogs/"+list.Dialogs[0].ID+"/operator", e.A.Bearer(), op); r.Status != http.StatusOK {
		t.Fatalf("operator message: %d %s", r.Status, r.Body)
	}
	waitInWidget(t, ctx, "Kate here, can I help?")
	if text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](inWidget(`return w.querySelector('.log').textContent`))); strings.Count(text, "Hello, Ann!") != 1 {
		t.Errorf("the widget shows a message twice: %q", text)
	}
	screenshot(t, ctx, "widget.png")
}

// pickFile chooses path in the widget's file input, as a visitor does
// after the paperclip.
func pickFile(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	input := chromedp.JSPath(`document.querySelector('[data-parley-widget]').shadowRoot.querySelector('input[type=file]')`)
	run(t, ctx, "choosing "+filepath.Base(path), chromedp.SetUploadFiles(input, []string{path}))
}

// TestWidgetUploadInBrowser: a visitor refused a file the bot's question
// does not take sees why; the picture they send then shows as theirs, its
// thumbnail loaded from the widget's link, and reaches the dialog; a file
// an operator sends shows as a link.
func TestWidgetUploadInBrowser(t *testing.T) {
	ctx := browser(t)
	e := servertest.New(t, native.Dialect, widget.Dialect)
	siteToken := widgetChannel(t, e, "docs", servertest.DocsBot)
	dir := t.TempDir()
	notes := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notes, []byte("just text"), 0o600); err != nil {
		t.Fatal(err)
	}
	var pic bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	if err := png.Encode(&pic, img); err != nil {
		t.Fatal(err)
	}
	picPath := filepath.Join(dir, "id.png")
	if err := os.WriteFile(picPath, pic.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	run(t, ctx, "opening the demo page", chromedp.Navigate(e.URL+"/ui/widget-demo?bot=docs&token="+url.QueryEscape(siteToken)))
	openWidget(t, ctx)
	waitInWidget(t, ctx, "Upload a scan of your ID.")
	// The picker offers what the question takes (the turn's waiting.accept).
	if accept, err := chromedp.Run(ctx, chromedp.Evaluate[string](inWidget(`return w.querySelector('input[type=file]').accept`))); err != nil || accept != "image/*,application/pdf" {
		t.Errorf("the file picker accepts %q (%v), want the question's types", accept, err)
	}

	pickFile(t, ctx, notes)
	refused := chromedp.Evaluate[string](inWidget(`return w.querySelector('.error').textContent`))
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		if text, _ := chromedp.Run(ctx, refused); strings.Contains(text, "accepts image/*, application/pdf") {
			break
		}
		if time.Now().After(deadline) {
			text, _ := chromedp.Run(ctx, refused)
			t.Fatalf("the widget never said why the text file was refused; its error line: %q", text)
		}
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](inWidget(`return w.querySelectorAll('.msg.user').length`))); n != 0 {
		t.Errorf("the refused file stays in the chat: %d messages of the visitor's", n)
	}

	pickFile(t, ctx, picPath)
	waitInWidget(t, ctx, "Got id.png.")
	thumb := chromedp.Evaluate[string](inWidget(`const i = w.querySelector('.msg.user img'); return i && i.complete && i.naturalWidth ? i.naturalWidth + 'x' + i.naturalHeight + ' ' + i.src : ''`))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		got, _ := chromedp.Run(ctx, thumb)
		if strings.HasPrefix(got, "4x3 "+e.URL+"/widget/v1/dialogs/") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the visitor's picture: %q, want a 4x3 thumbnail from the widget's link", got)
		}
	}
	if text, _ := chromedp.Run(ctx, refused); text != "" {
		t.Errorf("the error line after a good upload: %q", text)
	}

	var list struct{ Dialogs []struct{ ID string } }
	e.Do("GET", "/v1/dialogs?bot=docs", e.A.Bearer(), nil).JSON(t, &list)
	if len(list.Dialogs) != 1 {
		t.Fatalf("dialogs: %+v", list.Dialogs)
	}
	id := list.Dialogs[0].ID
	var dialog struct {
		Messages  []struct{ Role, Text string }
		Variables struct {
			Scan struct {
				Name, Type, URL string
			}
		}
	}
	e.Do("GET", "/v1/dialogs/"+id, e.A.Bearer(), nil).JSON(t, &dialog)
	scan := dialog.Variables.Scan
	if len(dialog.Messages) < 2 || dialog.Messages[1].Role != "user" || dialog.Messages[1].Text != "id.png" || scan.Name != "id.png" || scan.Type != "image/png" {
		t.Fatalf("the dialog: %+v", dialog)
	}
	if r := e.Do("GET", strings.TrimPrefix(scan.URL, e.URL), e.A.Bearer(), nil); r.Status != http.StatusOK || !bytes.Equal(r.Body, pic.Bytes()) {
		t.Errorf("the picture through the native API: %d, %d bytes", r.Status, len(r.Body))
	}

	var form bytes.Buffer
	w := multipart.NewWriter(&form)
	part, _ := w.CreateFormFile("file", "form.pdf")
	_, _ = part.Write([]byte("%PDF-1.4 the form"))
	_ = w.Close()
	var attached struct{ ID int64 }
	e.DoWith("POST", "/v1/dialogs/"+id+"/attachments", http.Header{"Authorization": {e.A.Bearer()}, "Content-Type": {w.FormDataContentType()}}, form.Bytes()).JSON(t, &attached)
	op := map[string]any{"action": "message", "operator": "Kate", "text": "Sign this, please.", "files": []int64{attached.ID}}
	if r := e.Do("POST", "/v1/dialogs/"+id+"/operator", e.A.Bearer(), op); r.Status != http.StatusOK {
		t.Fatalf("the operator's message: %d %s", r.Status, r.Body)
	}
	waitInWidget(t, ctx, "Sign this, please.")
	link, _ := chromedp.Run(ctx, chromedp.Evaluate[string](inWidget(`const a = [...w.querySelectorAll('.msg.bot a')].pop(); return a ? a.textContent + ' ' + a.href : ''`)))
	if !strings.HasPrefix(link, fmt.Sprintf("form.pdf %s/widget/v1/dialogs/%s/files/%d?visitor_token=", e.URL, id, attached.ID)) {
		t.Errorf("the operator's file in the widget: %q", link)
	}
}
