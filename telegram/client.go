// Package telegram is Parley's Telegram channel: a small client of the Bot
// API (the five methods the channel needs), the handling of updates from
// Telegram users (each chat is a thread of the integration's chat), and the
// relay that sends bots' and operators' replies out, run for each
// integration by one Temporal workflow.
package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
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
	base := c.BaseURL
	if base == "" {
		base = DefaultAPIURL
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(base, "/")+"/bot"+c.Token+"/"+method, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("calling telegram %s: %w", method, errors.Unwrap(err))
	}
	req.Header.Set("Content-Type", "application/json")
	httpc := c.HTTP
	if httpc == nil {
		httpc = http.DefaultClient
	}
	resp, err := httpc.Do(req)
	if err != nil {
		// The URL holds the token: never show it.
		var uerr interface{ Unwrap() error }
		if errors.As(err, &uerr) {
			err = uerr.Unwrap()
		}
		return fmt.Errorf("calling telegram %s: %w", method, err)
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
