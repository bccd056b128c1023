// Package telegramtest is a Telegram Bot API server on loopback for
// tests: it speaks the real protocol for the methods Parley calls.
package telegramtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fake is a Bot API server on loopback speaking the real protocol
// (POST /bot<token>/<method>, {"ok", "result"} or {"ok": false,
// "error_code", "description"}; GET /file/bot<token>/<file_path>) for the
// methods Parley calls. Users write, tap and send files with write, tap
// and upload; what the bot sent is in sent, with its files' bytes.
type Fake struct {
	*httptest.Server
	Mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every change
	tokens   map[string]bool
	updates  []map[string]any
	nextID   int64
	Sent     []Sent
	Answered []string
	Webhook  struct{ URL, Secret string }
	files    map[string]File // users' files, by file_id
	Fetched  []string        // the file paths downloaded
}

type Sent struct {
	Method      string    `json:"-"` // sendMessage, sendDocument or sendPhoto
	At          time.Time `json:"-"`
	ChatID      string    `json:"chat_id"`
	Text        string    `json:"text"`
	Caption     string    `json:"caption"`
	ReplyMarkup *struct {
		InlineKeyboard [][]struct {
			Text         string `json:"text"`
			CallbackData string `json:"callback_data"`
		} `json:"inline_keyboard"`
	} `json:"reply_markup"`
	// The file of a sendDocument or sendPhoto: its form field's file name,
	// type and bytes.
	FileName string `json:"-"`
	FileType string `json:"-"`
	File     []byte `json:"-"`
	// FileURL is the address of a file sent by address (a JSON call
	// whose photo, document, audio or video is a URL Telegram fetches).
	FileURL string `json:"-"`
}

// File is a file a user sent: where getFile says it is, and its bytes.
type File struct {
	Path    string
	Content []byte
}

// New starts a fake Bot API that knows tokens.
func New(t testing.TB, tokens ...string) *Fake {
	f := &Fake{changed: make(chan struct{}), tokens: map[string]bool{}, nextID: 100, files: map[string]File{}}
	for _, tok := range tokens {
		f.tokens[tok] = true
	}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

// change runs fn under the lock and wakes the waiters.
func (f *Fake) change(fn func()) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	fn()
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *Fake) Revoke(token string) { f.change(func() { f.tokens[token] = false }) }

func (f *Fake) Push(u map[string]any) {
	f.change(func() {
		f.nextID++
		u["update_id"] = f.nextID
		f.updates = append(f.updates, u)
	})
}

// Write is a user's text message.
func (f *Fake) Write(chatID int64, from map[string]any, text string) {
	f.Push(map[string]any{"message": map[string]any{"message_id": 1, "from": from, "date": time.Now().Unix(),
		"chat": map[string]any{"id": chatID, "type": "private"}, "text": text}})
}

// Upload is a user's message with a file: media is the message's field
// ("document", "photo", "voice"...) and its value (a photo's is a list of
// sizes); the bytes of each file_id in it are in files.
func (f *Fake) Upload(chatID int64, from map[string]any, caption, media string, value any, files map[string]File) {
	f.change(func() {
		for id, file := range files {
			f.files[id] = file
		}
	})
	m := map[string]any{"message_id": 3, "from": from, "date": time.Now().Unix(), "chat": map[string]any{"id": chatID, "type": "private"}, media: value}
	if caption != "" {
		m["caption"] = caption
	}
	f.Push(map[string]any{"message": m})
}

// Tap is a user's tap on a button of a message the bot sent.
func (f *Fake) Tap(chatID int64, from map[string]any, m Sent, data string) {
	f.Push(map[string]any{"callback_query": map[string]any{"id": "cb-1", "from": from, "data": data,
		"message": map[string]any{"message_id": 2, "date": time.Now().Unix(), "chat": map[string]any{"id": chatID, "type": "private"},
			"text": m.Text, "reply_markup": m.ReplyMarkup}}})
}

// WaitSent waits until the bot has sent a message ok accepts, and returns it.
func (f *Fake) WaitSent(t testing.TB, what string, ok func(Sent) bool) Sent {
	t.Helper()
	return f.WaitNth(t, what, 1, ok)
}

// WaitNth waits until the bot has sent n messages ok accepts, and returns
// the nth. ok runs under the fake's lock.
func (f *Fake) WaitNth(t testing.TB, what string, n int, ok func(Sent) bool) Sent {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		f.Mu.Lock()
		seen := 0
		for _, m := range f.Sent {
			if ok(m) {
				if seen++; seen == n {
					f.Mu.Unlock()
					return m
				}
			}
		}
		changed, sent := f.changed, f.Sent
		f.Mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("Telegram never got %s; it got %+v", what, sent)
		}
	}
}

func (f *Fake) reply(w http.ResponseWriter, result any) {
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
}

func (f *Fake) refuse(w http.ResponseWriter, code int, description string) {
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"ok": false, "error_code": code, "description": description})
}

func (f *Fake) serve(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"); ok {
		f.download(w, rest)
		return
	}
	token, method, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/bot"), "/")
	f.Mu.Lock()
	valid := f.tokens[token]
	f.Mu.Unlock()
	if !valid {
		f.refuse(w, http.StatusUnauthorized, "Unauthorized")
		return
	}
	byURL := strings.HasPrefix(r.Header.Get("Content-Type"), "application/json")
	if (method == "sendDocument" || method == "sendPhoto") && !byURL {
		f.sendFile(w, r, method)
		return
	}
	var params map[string]any
	json.NewDecoder(r.Body).Decode(&params)
	switch method {
	case "sendDocument", "sendPhoto", "sendAudio", "sendVideo":
		m := Sent{Method: method, At: time.Now()}
		b, _ := json.Marshal(params)
		json.Unmarshal(b, &m)
		m.FileURL, _ = params[strings.ToLower(strings.TrimPrefix(method, "send"))].(string)
		f.change(func() { f.Sent = append(f.Sent, m) })
		f.reply(w, map[string]any{"message_id": 11, "date": time.Now().Unix(), "chat": map[string]any{"id": json.Number(m.ChatID)}})
	case "getMe":
		f.reply(w, me(token))
	case "getUpdates":
		f.getUpdates(w, r, params)
	case "sendMessage":
		m := Sent{Method: method, At: time.Now()}
		b, _ := json.Marshal(params)
		json.Unmarshal(b, &m)
		f.change(func() { f.Sent = append(f.Sent, m) })
		f.reply(w, map[string]any{"message_id": 10, "date": time.Now().Unix(), "chat": map[string]any{"id": json.Number(m.ChatID)}, "text": m.Text})
	case "answerCallbackQuery":
		f.change(func() { f.Answered = append(f.Answered, params["callback_query_id"].(string)) })
		f.reply(w, true)
	case "setWebhook":
		f.change(func() { f.Webhook.URL, f.Webhook.Secret = params["url"].(string), params["secret_token"].(string) })
		f.reply(w, true)
	case "getFile":
		id, _ := params["file_id"].(string)
		f.Mu.Lock()
		file, ok := f.files[id]
		f.Mu.Unlock()
		if !ok {
			f.refuse(w, http.StatusBadRequest, "Bad Request: invalid file_id")
			return
		}
		f.reply(w, map[string]any{"file_id": id, "file_unique_id": "u" + id, "file_size": len(file.Content), "file_path": file.Path})
	case "deleteWebhook":
		f.change(func() { f.Webhook.URL, f.Webhook.Secret = "", "" })
		f.reply(w, true)
	default:
		f.refuse(w, http.StatusNotFound, "Not Found: method not found")
	}
}

// getUpdates answers the updates from offset, waiting up to timeout for
// one, as Telegram does; 409 while a webhook is set.
func (f *Fake) getUpdates(w http.ResponseWriter, r *http.Request, params map[string]any) {
	offset, _ := params["offset"].(float64)
	timeout, _ := params["timeout"].(float64)
	deadline := time.After(time.Duration(timeout * float64(time.Second)))
	for {
		f.Mu.Lock()
		if f.Webhook.URL != "" {
			f.Mu.Unlock()
			f.refuse(w, http.StatusConflict, "Conflict: can't use getUpdates method while webhook is active")
			return
		}
		var out []map[string]any
		for _, u := range f.updates {
			if float64(u["update_id"].(int64)) >= offset {
				out = append(out, u)
			}
		}
		changed := f.changed
		f.Mu.Unlock()
		if len(out) > 0 {
			f.reply(w, out)
			return
		}
		select {
		case <-changed:
		case <-deadline:
			f.reply(w, []any{})
			return
		case <-r.Context().Done():
			return
		}
	}
}

// download serves a file getFile named: GET /file/bot<token>/<file_path>.
func (f *Fake) download(w http.ResponseWriter, rest string) {
	token, path, _ := strings.Cut(rest, "/")
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if !f.tokens[token] {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	for _, file := range f.files {
		if file.Path == path {
			f.Fetched = append(f.Fetched, path)
			w.Write(file.Content)
			return
		}
	}
	http.NotFound(w, nil)
}

// sendFile takes a sendDocument or sendPhoto form: its fields, and the
// file in "document" or "photo".
func (f *Fake) sendFile(w http.ResponseWriter, r *http.Request, method string) {
	if r.ContentLength <= 0 {
		f.refuse(w, http.StatusBadRequest, "Bad Request: no Content-Length")
		return
	}
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		f.refuse(w, http.StatusBadRequest, "Bad Request: "+err.Error())
		return
	}
	field := map[string]string{"sendDocument": "document", "sendPhoto": "photo"}[method]
	file, header, err := r.FormFile(field)
	if err != nil {
		f.refuse(w, http.StatusBadRequest, "Bad Request: there is no "+field+" in the request")
		return
	}
	defer file.Close()
	content, _ := io.ReadAll(file)
	m := Sent{Method: method, At: time.Now(), ChatID: r.FormValue("chat_id"), Caption: r.FormValue("caption"),
		FileName: header.Filename, FileType: header.Header.Get("Content-Type"), File: content}
	if markup := r.FormValue("reply_markup"); markup != "" {
		json.Unmarshal([]byte(markup), &m.ReplyMarkup)
	}
	f.change(func() { f.Sent = append(f.Sent, m) })
	f.reply(w, map[string]any{"message_id": 11, "date": time.Now().Unix(), "chat": map[string]any{"id": json.Number(m.ChatID)}, "caption": m.Caption})
}

// me is the bot of a token: its id is the token's part before ":" (as
// Telegram's tokens are made), 7123456789 when that is not a number, and
// its username parley_test_bot, or parley_<id>_bot for other ids.
func me(token string) map[string]any {
	id, err := strconv.ParseInt(strings.Split(token, ":")[0], 10, 64)
	username := "parley_" + strconv.FormatInt(id, 10) + "_bot"
	if err != nil || id == 7123456789 {
		id, username = 7123456789, "parley_test_bot"
	}
	return map[string]any{"id": id, "is_bot": true, "first_name": "Parley Test", "username": username}
}

// WaitWebhook waits until the bot has a webhook, and returns its address
// and secret token.
func (f *Fake) WaitWebhook(t testing.TB) (url, secret string) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		f.Mu.Lock()
		url, secret, changed := f.Webhook.URL, f.Webhook.Secret, f.changed
		f.Mu.Unlock()
		if url != "" {
			return url, secret
		}
		select {
		case <-changed:
		case <-deadline:
			t.Fatal("setWebhook was never called")
		}
	}
}
