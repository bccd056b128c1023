// Package telegram is Parley's Telegram channel: a small client of the Bot
// API (the methods the channel needs), the handling of updates from
// Telegram users (each chat is a thread of the integration's chat; their
// files are downloaded into the dialog), and the relay that sends bots'
// and operators' replies and files out, paced per chat, run for each
// integration by one Temporal workflow.
package telegram

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"time"
)

// DefaultAPIURL is the Bot API's address; PARLEY_TELEGRAM_API_URL replaces
// it (a loopback fake in tests).
const DefaultAPIURL = "https://api.telegram.org"

// Client calls the Bot API for one bot token.
type Client struct {
	BaseURL string // DefaultAPIURL when empty
	Token   string
	HTTP    *http.Client // http.DefaultClient when nil
}

// APIError is the Bot API's answer to a call that failed: its error_code
// (401 for a revoked token, 429 with RetryAfter when calls come too fast)
// and description.
type APIError struct {
	Method      string
	Code        int
	Description string
	RetryAfter  time.Duration
}

func (e *APIError) Error() string {
	return fmt.Sprintf("telegram %s: %d %s", e.Method, e.Code, e.Description)
}

// IsUnauthorized reports whether Telegram refused the token (401, or 404
// "Not Found", its answer for a token of no bot).
func IsUnauthorized(err error) bool {
	var e *APIError
	return errors.As(err, &e) && (e.Code == http.StatusUnauthorized || e.Code == http.StatusNotFound)
}

// call posts params as JSON to method and decodes the result into out.
func (c *Client) call(ctx context.Context, method string, params, out any) error {
	body, err := json.Marshal(params)
	if err != nil {
		return fmt.Errorf("encoding telegram %s: %w", method, err)
	}
	return c.post(ctx, method, "application/json", bytes.NewReader(body), out)
}

// base is the Bot API's address, without a trailing slash.
func (c *Client) base() string {
	if c.BaseURL == "" {
		return DefaultAPIURL
	}
	return strings.TrimSuffix(c.BaseURL, "/")
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP == nil {
		return http.DefaultClient
	}
	return c.HTTP
}

// do sends req, whose URL holds the token: an error never shows it.
func (c *Client) do(req *http.Request, what string) (*http.Response, error) {
	resp, err := c.httpClient().Do(req)
	if err != nil {
		var uerr interface{ Unwrap() error }
		if errors.As(err, &uerr) {
			err = uerr.Unwrap()
		}
		return nil, fmt.Errorf("calling telegram %s: %w", what, err)
	}
	return resp, nil
}

// post sends body of contentType to method and decodes the result into
// out.
func (c *Client) post(ctx context.Context, method, contentType string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base()+"/bot"+c.Token+"/"+method, body)
	if err != nil {
		return fmt.Errorf("calling telegram %s: %w", method, errors.Unwrap(err))
	}
	req.Header.Set("Content-Type", contentType)
	if s, ok := body.(sized); ok {
		req.ContentLength = s.n
	}
	resp, err := c.do(req, method)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var r struct {
		OK          bool            `json:"ok"`
		Result      json.RawMessage `json:"result"`
		ErrorCode   int             `json:"error_code"`
		Description string          `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return fmt.Errorf("reading telegram %s: %w", method, err)
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return &APIError{Method: method, Code: resp.StatusCode, Description: "not a Bot API answer: " + http.StatusText(resp.StatusCode)}
	}
	if !r.OK {
		code := r.ErrorCode
		if code == 0 {
			code = resp.StatusCode
		}
		return &APIError{Method: method, Code: code, Description: r.Description, RetryAfter: time.Duration(r.Parameters.RetryAfter) * time.Second}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(r.Result, out); err != nil {
		return fmt.Errorf("decoding telegram %s: %w", method, err)
	}
	return nil
}

// GetMe returns the token's bot.
func (c *Client) GetMe(ctx context.Context) (*User, error) {
	var u User
	return &u, c.call(ctx, "getMe", struct{}{}, &u)
}

// GetUpdates long-polls for updates from offset, waiting up to timeout.
func (c *Client) GetUpdates(ctx context.Context, offset int64, timeout time.Duration) ([]Update, error) {
	var out []Update
	err := c.call(ctx, "getUpdates", map[string]any{"offset": offset, "timeout": int(timeout / time.Second),
		"allowed_updates": []string{"message", "callback_query"}}, &out)
	return out, err
}

// SendMessage sends text to a chat, with buttons as an inline keyboard
// when markup is not nil. The sent message is not read back: a message
// Telegram took is never sent again for an answer Parley could not read.
func (c *Client) SendMessage(ctx context.Context, chatID string, text string, markup *InlineKeyboardMarkup) error {
	params := map[string]any{"chat_id": chatID, "text": text}
	if markup != nil {
		params["reply_markup"] = markup
	}
	return c.call(ctx, "sendMessage", params, nil)
}

// SendByURL sends a file Telegram fetches from its address itself, with
// method (sendPhoto, sendDocument, ...) and its file field.
func (c *Client) SendByURL(ctx context.Context, method, field, chatID, url, caption string, markup *InlineKeyboardMarkup) error {
	params := map[string]any{"chat_id": chatID, field: url}
	if caption != "" {
		params["caption"] = caption
	}
	if markup != nil {
		params["reply_markup"] = markup
	}
	return c.call(ctx, method, params, nil)
}

// AnswerCallbackQuery tells Telegram a button tap was received.
func (c *Client) AnswerCallbackQuery(ctx context.Context, id string) error {
	return c.call(ctx, "answerCallbackQuery", map[string]any{"callback_query_id": id}, nil)
}

// SetWebhook has Telegram post updates to url with secret in the
// X-Telegram-Bot-Api-Secret-Token header.
func (c *Client) SetWebhook(ctx context.Context, url, secret string) error {
	return c.call(ctx, "setWebhook", map[string]any{"url": url, "secret_token": secret,
		"allowed_updates": []string{"message", "callback_query"}}, nil)
}

// DeleteWebhook stops webhook delivery, so getUpdates works.
func (c *Client) DeleteWebhook(ctx context.Context) error {
	return c.call(ctx, "deleteWebhook", map[string]any{}, nil)
}

// GetFile readies a file for Download; Telegram lets bots download files
// of at most MaxDownload bytes.
func (c *Client) GetFile(ctx context.Context, fileID string) (*File, error) {
	var f File
	return &f, c.call(ctx, "getFile", map[string]any{"file_id": fileID}, &f)
}

// MaxDownload is the largest file the Bot API lets a bot download.
const MaxDownload = 20 << 20

// Download opens the content of a file at the path getFile gave; the
// caller closes it.
func (c *Client) Download(ctx context.Context, filePath string) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base()+"/file/bot"+c.Token+"/"+strings.TrimPrefix(filePath, "/"), nil)
	if err != nil {
		return nil, fmt.Errorf("downloading a telegram file: %w", errors.Unwrap(err))
	}
	resp, err := c.do(req, "file download")
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, &APIError{Method: "file download", Code: resp.StatusCode, Description: http.StatusText(resp.StatusCode)}
	}
	return resp.Body, nil
}

// Upload is a file sent to a chat: Size bytes of Body, named Name.
type Upload struct {
	Name     string
	MIMEType string
	Size     int64
	Body     io.Reader
}

// MaxUpload is the largest file a bot may send; MaxPhoto the largest it
// may send as a photo.
const (
	MaxUpload = 50 << 20
	MaxPhoto  = 10 << 20
)

// SendDocument sends a file to a chat with a caption (may be empty) and
// buttons, as multipart/form-data: Telegram cannot fetch our own URLs.
func (c *Client) SendDocument(ctx context.Context, chatID, caption string, f Upload, markup *InlineKeyboardMarkup) error {
	return c.sendFile(ctx, "sendDocument", "document", chatID, caption, f, markup)
}

// SendPhoto is SendDocument for a picture Telegram shows inline: JPEG,
// PNG or WebP of at most MaxPhoto bytes.
func (c *Client) SendPhoto(ctx context.Context, chatID, caption string, f Upload, markup *InlineKeyboardMarkup) error {
	return c.sendFile(ctx, "sendPhoto", "photo", chatID, caption, f, markup)
}

// sendFile posts the form's fields and the file in field, streaming the
// file's bytes with the form's length known beforehand (no chunked body).
func (c *Client) sendFile(ctx context.Context, method, field, chatID, caption string, f Upload, markup *InlineKeyboardMarkup) error {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	fields := [][2]string{{"chat_id", chatID}}
	if caption != "" {
		fields = append(fields, [2]string{"caption", caption})
	}
	if markup != nil {
		b, err := json.Marshal(markup)
		if err != nil {
			return fmt.Errorf("encoding telegram %s: %w", method, err)
		}
		fields = append(fields, [2]string{"reply_markup", string(b)})
	}
	for _, kv := range fields {
		if err := w.WriteField(kv[0], kv[1]); err != nil {
			return fmt.Errorf("encoding telegram %s: %w", method, err)
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": field, "filename": f.Name}))
	h.Set("Content-Type", cmp.Or(f.MIMEType, "application/octet-stream"))
	if _, err := w.CreatePart(h); err != nil {
		return fmt.Errorf("encoding telegram %s: %w", method, err)
	}
	head := bytes.Clone(buf.Bytes())
	buf.Reset()
	if err := w.Close(); err != nil {
		return fmt.Errorf("encoding telegram %s: %w", method, err)
	}
	body := io.MultiReader(bytes.NewReader(head), io.LimitReader(f.Body, f.Size), &buf)
	return c.post(ctx, method, w.FormDataContentType(), sized{body, int64(len(head)) + f.Size + int64(buf.Len())}, nil)
}

// sized is a body whose length is known, so it is sent with a
// Content-Length.
type sized struct {
	io.Reader
	n int64
}
