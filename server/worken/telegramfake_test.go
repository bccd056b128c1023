package worken_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeTelegram is a Bot API server on loopback speaking the real protocol
// (POST /bot<token>/<method>, {"ok", "result"} or {"ok": false,
// "error_code", "description"}; GET /file/bot<token>/<file_path>) for the
// methods Parley calls. Users write, tap and send files with write, tap
// and upload; what the bot sent is in sent, with its files' bytes.
type fakeTelegram struct {
	*httptest.Server
	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every change
	tokens   map[string]bool
	updates  []map[string]any
	nextID   int64
	sent     []sentMessage
	answered []string
	webhook  struct{ url, secret string }
	files    map[string]fakeFile // users' files, by file_id
	fetched  []string            // the file paths downloaded
}

type sentMessage struct {
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

// fakeFile is a file a user sent: where getFile says it is, and its bytes.
type fakeFile struct {
	path    string
	content []byte
}

func newFakeTelegram(t *testing.T, tokens ...string) *fakeTelegram {
	f := &fakeTelegram{changed: make(chan struct{}), tokens: map[string]bool{}, nextID: 100, files: map[string]fakeFile{}}
	for _, tok := range tokens {
		f.tokens[tok] = true
	}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

// change runs fn under the lock and wakes the waiters.
func (f *fakeTelegram) change(fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn()
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *fakeTelegram) revoke(token string) { f.change(func() { f.tokens[token] = false }) }

func (f *fakeTelegram) push(u map[string]any) {
	f.change(func() {
		f.nextID++
		u["update_id"] = f.nextID
		f.updates = append(f.updates, u)
	})
}

// write is a user's text message.
func (f *fakeTelegram) write(chatID int64, from map[string]any, text string) {
	f.push(map[string]any{"message": map[string]any{"message_id": 1, "from": from, "date": time.Now().Unix(),
		"chat": map[string]any{"id": chatID, "type": "private"}, "text": text}})
}

// upload is a user's message with a file: media is the message's field
// ("document", "photo", "voice"...) and its value (a photo's is a list of
// sizes); the bytes of each file_id in it are in files.
func (f *fakeTelegram) upload(chatID int64, from map[string]any, caption, media string, value any, files map[string]fakeFile) {
	f.change(func() {
		for id, file := range files {
			f.files[id] = file
		}
	})
	m := map[string]any{"message_id": 3, "from": from, "date": time.Now().Unix(), "chat": map[string]any{"id": chatID, "type": "private"}, media: value}
	if caption != "" {
		m["caption"] = caption
	}
	f.push(map[string]any{"message": m})
}

// tap is a user's tap on a button of a message the bot sent.
func (f *fakeTelegram) tap(chatID int64, from map[string]any, m sentMessage, data string) {
	f.push(map[string]any{"callback_query": map[string]any{"id": "cb-1", "from": from, "data": data,
		"message": map[string]any{"message_id": 2, "date": time.Now().Unix(), "chat": map[string]any{"id": chatID, "type": "private"},
			"text": m.Text, "reply_markup": m.ReplyMarkup}}})
}

// waitSent waits until the bot has sent a message ok accepts, and returns it.
func (f *fakeTelegram) waitSent(t *testing.T, what string, ok func(sentMessage) bool) sentMessage {
	t.Helper()
	return f.waitNth(t, what, 1, ok)
}

// waitNth waits until the bot has sent n messages ok accepts, and returns
// the nth. ok runs under the fake's lock.
func (f *fakeTelegram) waitNth(t *testing.T, what string, n int, ok func(sentMessage) bool) sentMessage {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		f.mu.Lock()
		seen := 0
		for _, m := range f.sent {
			if ok(m) {
				if seen++; seen == n {
					f.mu.Unlock()
					return m
				}
			}
		}
		changed, sent := f.changed, f.sent
		f.mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			t.Fatalf("Telegram never got %s; it got %+v", what, sent)
		}
	}
}

func (f *fakeTelegram) reply(w http.ResponseWriter, result any) {
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
}

func (f *fakeTelegram) refuse(w http.ResponseWriter, code int, description string) {
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"ok": false, "error_code": code, "description": description})
}

func (f *fakeTelegram) serve(w http.ResponseWriter, r *http.Request) {
	if rest, ok := strings.CutPrefix(r.URL.Path, "/file/bot"); ok {
		f.download(w, rest)
		return
	}
	token, method, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/bot"), "/")
	f.mu.Lock()
	valid := f.tokens[token]
	f.mu.Unlock()
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
		m := sentMessage{Method: method, At: time.Now()}
		b, _ := json.Marshal(params)
		json.Unmarshal(b, &m)
		m.FileURL, _ = params[strings.ToLower(strings.TrimPrefix(method, "send"))].(string)
		f.change(func() { f.sent = append(f.sent, m) })
		f.reply(w, map[string]any{"message_id": 11, "date": time.Now().Unix(), "chat": map[string]any{"id": json.Number(m.ChatID)}})
	case "getMe":
		f.reply(w, map[string]any{"id": 7123456789, "is_bot": true, "first_name": "Parley Test", "username": "parley_test_bot"})
	case "getUpdates":
		f.getUpdates(w, r, params)
	case "sendMessage":
		m := sentMessage{Method: method, At: time.Now()}
		b, _ := json.Marshal(params)
		json.Unmarshal(b, &m)
		f.change(func() { f.sent = append(f.sent, m) })
		f.reply(w, map[string]any{"message_id": 10, "date": time.Now().Unix(), "chat": map[string]any{"id": json.Number(m.ChatID)}, "text": m.Text})
	case "answerCallbackQuery":
		f.change(func() { f.answered = append(f.answered, params["callback_query_id"].(string)) })
		f.reply(w, true)
	case "setWebhook":
		f.change(func() { f.webhook.url, f.webhook.secret = params["url"].(string), params["secret_token"].(string) })
		f.reply(w, true)
	case "getFile":
		id, _ := params["file_id"].(string)
		f.mu.Lock()
		file, ok := f.files[id]
		f.mu.Unlock()
		if !ok {
			f.refuse(w, http.StatusBadRequest, "Bad Request: invalid file_id")
			return
		}
		f.reply(w, map[string]any{"file_id": id, "file_unique_id": "u" + id, "file_size": len(file.content), "file_path": file.path})
	case "deleteWebhook":
		f.change(func() { f.webhook.url, f.webhook.secret = "", "" })
		f.reply(w, true)
	default:
		f.refuse(w, http.StatusNotFound, "Not Found: method not found")
	}
}

// getUpdates answers the updates from offset, waiting up to timeout for
// one, as Telegram does; 409 while a webhook is set.
func (f *fakeTelegram) getUpdates(w http.ResponseWriter, r *http.Request, params map[string]any) {
	offset, _ := params["offset"].(float64)
	timeout, _ := params["timeout"].(float64)
	deadline := time.After(time.Duration(timeout * float64(time.Second)))
	for {
		f.mu.Lock()
		if f.webhook.url != "" {
			f.mu.Unlock()
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
		f.mu.Unlock()
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
func (f *fakeTelegram) download(w http.ResponseWriter, rest string) {
	token, path, _ := strings.Cut(rest, "/")
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.tokens[token] {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	for _, file := range f.files {
		if file.path == path {
			f.fetched = append(f.fetched, path)
			w.Write(file.content)
			return
		}
	}
	http.NotFound(w, nil)
}

// sendFile takes a sendDocument or sendPhoto form: its fields, and the
// file in "document" or "photo".
func (f *fakeTelegram) sendFile(w http.ResponseWriter, r *http.Request, method string) {
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
	m := sentMessage{Method: method, At: time.Now(), ChatID: r.FormValue("chat_id"), Caption: r.FormValue("caption"),
		FileName: header.Filename, FileType: header.Header.Get("Content-Type"), File: content}
	if markup := r.FormValue("reply_markup"); markup != "" {
		json.Unmarshal([]byte(markup), &m.ReplyMarkup)
	}
	f.change(func() { f.sent = append(f.sent, m) })
	f.reply(w, map[string]any{"message_id": 11, "date": time.Now().Unix(), "chat": map[string]any{"id": json.Number(m.ChatID)}, "caption": m.Caption})
}
