package worken_test

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/dialogs"
	"github.com/parleyhq/parley/server/servertest"
	"github.com/parleyhq/parley/store"
	"github.com/parleyhq/parley/telegram/telegramtest"
)

// tgFilesBot asks for a PDF or a picture, thanks for it by name, and asks
// again after "Anything else?".
const tgFilesBot = `bot: tgbot
name: Telegram files
variables:
  doc: { type: object }
  more: { type: string }
start: ask
nodes:
  ask:
    kind: question
    text: Send me the contract, a PDF or a picture.
    input: { type: file, accept: [application/pdf, image/*] }
    save: doc
    next: got
  got:
    kind: message
    text: "Got {{ doc.name }}."
    next: again
  again:
    kind: question
    text: Anything else?
    save: more
    next: ask
`

// telegramFilesEnv is telegramEnv with tgFilesBot as tgbot and the
// channel's per-chat interval set (0: the default).
func telegramFilesEnv(t *testing.T, interval time.Duration) (*servertest.Env, *telegramtest.Fake) {
	t.Helper()
	return telegramEnvWith(t, tgEnvOptions{interval: interval, bot: tgFilesBot})
}

// threadOf is the one thread of a chat.
func threadOf(t *testing.T, e *servertest.Env, c tgChat) *store.Dialog {
	t.Helper()
	var threads []struct{ ID string }
	r := e.Do("GET", "/chats/"+c.ID+"/threads", "Bearer "+e.A.APIKey, nil)
	wantStatus(t, r, http.StatusOK)
	r.JSON(t, &threads)
	if len(threads) != 1 {
		t.Fatalf("threads of the chat: %s", r.Body)
	}
	d, err := e.Store.Dialog(t.Context(), e.A.ID, threads[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

var pdf = []byte("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")

// A Telegram user's files reach the file question: a voice note it does
// not take and a file over the limit are refused with a reply, a PDF
// (with a caption) and then a photo (its largest size) are taken, stored
// as the dialog's files with their bytes.
func TestIntegrationTelegramFileFromUser(t *testing.T) {
	e, fake := telegramFilesEnv(t, 10*time.Millisecond)
	_, c := connect(t, e)
	ask := "Send me the contract, a PDF or a picture."
	fake.Write(555, alice, "/start")
	fake.WaitSent(t, "the file question", func(m telegramtest.Sent) bool { return m.ChatID == "555" && m.Text == ask })

	fake.Upload(555, alice, "", "voice", map[string]any{"file_id": "v1", "file_unique_id": "uv1", "duration": 2, "mime_type": "audio/ogg", "file_size": 5},
		map[string]telegramtest.File{"v1": {Path: "voice/file_1.oga", Content: []byte("OggS\x00")}})
	fake.WaitSent(t, "the refusal of the voice note", func(m telegramtest.Sent) bool {
		return m.ChatID == "555" && strings.Contains(m.Text, "cannot take that file") && strings.Contains(m.Text, "audio/ogg")
	})
	fake.Upload(555, alice, "", "document", map[string]any{"file_id": "big", "file_unique_id": "ubig", "file_name": "huge.pdf",
		"mime_type": "application/pdf", "file_size": 30 << 20}, nil)
	fake.WaitSent(t, "the refusal of the large file", func(m telegramtest.Sent) bool {
		return m.ChatID == "555" && strings.Contains(m.Text, "too large") && strings.Contains(m.Text, "20 MB")
	})

	fake.Upload(555, alice, "Here it is", "document", map[string]any{"file_id": "d1", "file_unique_id": "ud1", "file_name": "contract.pdf",
		"mime_type": "application/pdf", "file_size": len(pdf)}, map[string]telegramtest.File{"d1": {Path: "documents/file_2.pdf", Content: pdf}})
	fake.WaitSent(t, "the thanks for the PDF", func(m telegramtest.Sent) bool { return m.ChatID == "555" && m.Text == "Got contract.pdf." })
	fake.WaitSent(t, "the next question", func(m telegramtest.Sent) bool { return m.Text == "Anything else?" })

	d := threadOf(t, e, c)
	r := e.Do("GET", "/chats/"+c.ID+"/threads/"+d.UUID+"/messages", "Bearer "+e.A.APIKey, nil)
	wantStatus(t, r, http.StatusOK)
	if !strings.Contains(string(r.Body), `"role":"user","content":"Here it is"`) {
		t.Errorf("the caption is not the user's message: %s", r.Body)
	}
	wantFile(t, e, d, "contract.pdf", "application/pdf", pdf)
	if d.Variables["doc"] == nil {
		t.Errorf("the question saved no file: %v", d.Variables)
	}

	// A photo: the largest of its sizes is downloaded.
	fake.Write(555, alice, "nothing") // "Anything else?" → the file question again
	fake.WaitNth(t, "the file question again", 2, func(m telegramtest.Sent) bool { return m.Text == ask })
	jpeg := append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), bytes.Repeat([]byte{7}, 100)...)
	fake.Upload(555, alice, "", "photo", []map[string]any{
		{"file_id": "p-small", "file_unique_id": "ups", "width": 90, "height": 60, "file_size": 10},
		{"file_id": "p-large", "file_unique_id": "upl", "width": 1280, "height": 853, "file_size": len(jpeg)},
	}, map[string]telegramtest.File{"p-small": {Path: "photos/file_3.jpg", Content: []byte("small")}, "p-large": {Path: "photos/file_4.jpg", Content: jpeg}})
	fake.WaitSent(t, "the thanks for the photo", func(m telegramtest.Sent) bool { return m.Text == "Got file_4.jpg." })
	wantFile(t, e, threadOf(t, e, c), "file_4.jpg", "image/jpeg", jpeg)
	fake.Mu.Lock()
	fetched := strings.Join(fake.Fetched, " ")
	fake.Mu.Unlock()
	// The voice note is downloaded (the dialog decides what it takes), the
	// file over the limit and the small photo are not.
	if fetched != "voice/file_1.oga documents/file_2.pdf photos/file_4.jpg" {
		t.Errorf("downloaded %q, want the voice note, the PDF and the large photo", fetched)
	}
}

// wantFile checks that the dialog's last user message carries a file of
// that name and type whose stored bytes are content.
func wantFile(t *testing.T, e *servertest.Env, d *store.Dialog, name, mimeType string, content []byte) {
	t.Helper()
	msgs, err := e.Store.Messages(t.Context(), d.ID)
	if err != nil {
		t.Fatal(err)
	}
	var last *store.Message
	for i := range msgs {
		if msgs[i].Role == store.MessageUser {
			last = &msgs[i]
		}
	}
	if last == nil || len(last.Files) != 1 || last.Files[0].Name != name || last.Files[0].MIMEType != mimeType {
		t.Fatalf("the user's last message: %+v", last)
	}
	f, err := e.Store.File(t.Context(), e.A.ID, last.Files[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	blob, err := e.Dialogs.Files.Open(f.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	defer blob.Close()
	got, _ := io.ReadAll(blob)
	if !bytes.Equal(got, content) {
		t.Errorf("stored %q, want %q", got, content)
	}
}

// attach uploads a file into the dialog for an operator's message.
func attach(t *testing.T, e *servertest.Env, d *store.Dialog, name, mimeType string, content []byte) int64 {
	t.Helper()
	ref, err := e.Dialogs.UploadAttachment(t.Context(), d, dialogs.Upload{Name: name, Type: mimeType, Body: bytes.NewReader(content),
		Link: func(id int64) string { return "/v1/files/" + strconv.FormatInt(id, 10) }})
	if err != nil {
		t.Fatal(err)
	}
	return ref.ID
}

// An operator's message with one file reaches Telegram as sendDocument
// with the text as its caption and the file's bytes; one with two files
// as the text, then each file (a PNG with sendPhoto).
func TestIntegrationTelegramFileToUser(t *testing.T) {
	e, fake := telegramFilesEnv(t, 10*time.Millisecond)
	_, c := connect(t, e)
	fake.Write(555, alice, "/start")
	fake.WaitSent(t, "the file question", func(m telegramtest.Sent) bool { return m.ChatID == "555" && m.Method == "sendMessage" })
	d := threadOf(t, e, c)
	op := dialogs.Operator{Name: "Kate"}

	id := attach(t, e, d, "terms.pdf", "application/pdf", pdf)
	if _, err := e.Dialogs.ScheduleMessage(t.Context(), d, op, dialogs.OperatorText{Text: "Our terms, signed.", Files: []int64{id}}); err != nil {
		t.Fatal(err)
	}
	doc := fake.WaitSent(t, "the document", func(m telegramtest.Sent) bool { return m.Method == "sendDocument" })
	if doc.ChatID != "555" || doc.Caption != "Our terms, signed." || doc.FileName != "terms.pdf" || doc.FileType != "application/pdf" || !bytes.Equal(doc.File, pdf) {
		t.Errorf("sendDocument: %+v", doc)
	}

	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00")
	files := []int64{attach(t, e, d, "map.png", "image/png", png), attach(t, e, d, "notes.txt", "text/plain", []byte("bring your ID"))}
	if _, err := e.Dialogs.ScheduleMessage(t.Context(), d, op, dialogs.OperatorText{Text: "Directions and notes.", Files: files}); err != nil {
		t.Fatal(err)
	}
	fake.WaitSent(t, "the notes", func(m telegramtest.Sent) bool { return m.Method == "sendDocument" && m.FileName == "notes.txt" })
	fake.Mu.Lock()
	sent := fake.Sent
	fake.Mu.Unlock()
	var tail []string
	for _, m := range sent[len(sent)-3:] {
		tail = append(tail, m.Method+":"+m.Text+m.FileName+":"+string(m.File))
	}
	want := []string{"sendMessage:Directions and notes.:", "sendPhoto:map.png:" + string(png), "sendDocument:notes.txt:bring your ID"}
	if strings.Join(tail, "|") != strings.Join(want, "|") {
		t.Errorf("the last sends:\n%q\nwant\n%q", tail, want)
	}
}

// Messages to one chat go out at most one a chat interval apart, while a
// message to another chat is sent at once.
func TestIntegrationTelegramPace(t *testing.T) {
	const interval = 700 * time.Millisecond
	e, fake := telegramFilesEnv(t, interval)
	_, c := connect(t, e)
	bob := map[string]any{"id": 502, "is_bot": false, "first_name": "Bob"}
	fake.Write(555, alice, "/start")
	fake.WaitSent(t, "alice's question", func(m telegramtest.Sent) bool { return m.ChatID == "555" })
	fake.Write(556, bob, "/start")
	fake.WaitSent(t, "bob's question", func(m telegramtest.Sent) bool { return m.ChatID == "556" })
	aliceD, bobD := threadWith(t, e, c, "555"), threadWith(t, e, c, "556")
	op := dialogs.Operator{Name: "Kate"}
	for _, text := range []string{"one", "two", "three"} {
		if _, err := e.Dialogs.OperatorMessage(t.Context(), aliceD, op, text); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.Dialogs.OperatorMessage(t.Context(), bobD, op, "hello bob"); err != nil {
		t.Fatal(err)
	}
	at := map[string]time.Time{}
	for _, text := range []string{"one", "two", "three", "hello bob"} {
		at[text] = fake.WaitSent(t, text, func(m telegramtest.Sent) bool { return m.Text == text }).At
	}
	for _, pair := range [][2]string{{"one", "two"}, {"two", "three"}} {
		if gap := at[pair[1]].Sub(at[pair[0]]); gap < interval*9/10 {
			t.Errorf("%q came %v after %q, under the chat interval %v", pair[1], gap, pair[0], interval)
		}
	}
	if !at["hello bob"].Before(at["three"]) {
		t.Errorf("bob's message waited for alice's: at %v, alice's last at %v", at["hello bob"].Sub(at["one"]), at["three"].Sub(at["one"]))
	}
}

// threadWith is the chat's thread with the Telegram chat chatID.
func threadWith(t *testing.T, e *servertest.Env, c tgChat, chatID string) *store.Dialog {
	t.Helper()
	ch, err := e.Store.ChannelByUUID(t.Context(), e.A.ID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.Store.DialogByExternalID(t.Context(), e.A.ID, ch.ID, chatID)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// tgMenuBot greets with two files sent by address.
const tgMenuBot = `bot: tgbot
nodes:
  hello:
    kind: message
    text: Our menu and a map.
    attachments:
      - { url: "https://example.com/menu.pdf" }
      - { url: "https://example.com/map.png", type: image }
    next: ask
  ask:
    kind: question
    text: Anything else?
`

// A flow's files sent by address reach Telegram as the address, for
// Telegram to fetch: the text first, then sendDocument and sendPhoto.
func TestIntegrationTelegramFlowFiles(t *testing.T) {
	e, fake := telegramFilesEnv(t, 10*time.Millisecond)
	if _, err := e.Dialogs.Publish(t.Context(), e.A.ID, "tgbot", tgMenuBot, "test"); err != nil {
		t.Fatal(err)
	}
	connect(t, e)
	fake.Write(555, alice, "/start")
	fake.WaitSent(t, "the question", func(m telegramtest.Sent) bool { return m.Text == "Anything else?" })
	fake.Mu.Lock()
	sent := fake.Sent
	fake.Mu.Unlock()
	var got []string
	for _, m := range sent {
		got = append(got, m.Method+":"+m.Text+m.FileURL)
	}
	want := "sendMessage:Our menu and a map.|sendDocument:https://example.com/menu.pdf|sendPhoto:https://example.com/map.png|sendMessage:Anything else?"
	if strings.Join(got, "|") != want {
		t.Errorf("sent\n%s\nwant\n%s", strings.Join(got, "|"), want)
	}
}
